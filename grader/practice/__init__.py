"""Practice mode: spaced repetition (FSRS) over the bank, a progress store, watch mode and stats.

Nothing here imports torch; grading happens in the grader's own subprocess.
"""
