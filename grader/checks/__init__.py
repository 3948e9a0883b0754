"""The check library: names in the order they run and are reported, cheapest first.

This module is torch-free so the bank loader can validate check names. The checks live in one module per
family (imported only by the worker, through grader.checks.registry):
structure (output_shape, values, raises, inputs_not_mutated), numerics (dtype_device, finite,
stable_large_logits), masking (masked_keys_ignored, causal_future_ignored), invariances (batch_independent,
permutation_equivariant, group_structure, properties), gradients, cost (forbidden_ops, memory, speed), precision;
base holds what they share. `signature` is checked while the candidate is loaded (grader.verdict).
"""

from __future__ import annotations

CHECK_NAMES: tuple[str, ...] = (
    "signature",              # entry point exists, parameters named and ordered as the prompt says
    "output_shape",           # output type, structure and shape match the reference
    "dtype_device",           # outputs keep the grading dtype and device
    "finite",                 # no NaN/inf where the reference is finite
    "values",                 # values (and scripted stateful calls) match the oracle within tolerance
    "raises",                 # invalid arguments raise the documented exception
    "masked_keys_ignored",    # keys a query may not see can change freely without changing its output
    "causal_future_ignored",  # changing later positions leaves earlier outputs unchanged
    "batch_independent",      # changing one batch item leaves the others unchanged
    "permutation_equivariant",  # permuting queries permutes outputs; permuting keys+values changes nothing
    "group_structure",        # GQA: perturbing kv head j changes exactly the query heads of group j
    "properties",             # question-specific invariants (e.g. RoPE's norm and relative position)
    "gradients",              # float64 gradients match the reference's
    "inputs_not_mutated",     # no argument is modified in place
    "forbidden_ops",          # no forbidden op is used, however it is spelled (checked at the aten level)
    "memory",                 # no intermediate tensor as large as the score matrix is created
    "stable_large_logits",    # finite and correct when the logits are large
    "precision",              # ops the prompt wants in at least float32 give no half results on half inputs
    "speed",                  # (CUDA only) time and peak memory against PyTorch's own kernel
)

ALWAYS_RUN = ("output_shape", "values")  # run whether or not the question lists them
