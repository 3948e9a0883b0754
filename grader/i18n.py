"""Every user-facing string of attnbank in both languages, defined once: key -> (English, Chinese).

The study site's templates read this table as `UI`; the terminal (show, practice, watch, stats) reads one
language of it through `strings(lang)`.
"""

from __future__ import annotations

LANGS = ("en", "zh")

TEXT: dict[str, tuple[str, str]] = {
    # the study site (and shared labels)
    "home": ("Home", "首页"), "search": ("Search", "搜索"),
    "search_ph": ("Search questions (English or 中文)", "搜索题目（中文或 English）"),
    "lang_switch": ("中文", "English"), "lang_label": ("Switch language", "切换语言"),
    "theme": ("Dark / light", "深色 / 浅色"),
    "topics": ("Topics", "主题"), "questions": ("Questions", "题目"), "all": ("All", "全部"),
    "topic": ("Topic", "主题"), "kind": ("Kind", "题型"), "difficulty": ("Difficulty", "难度"),
    "tag": ("Tag", "标签"), "status": ("Progress", "学习进度"),
    "concept": ("Concept", "概念题"), "quiz": ("Quiz", "测验题"), "coding": ("Coding", "编程题"),
    "easy": ("Easy", "简单"), "medium": ("Medium", "中等"), "hard": ("Hard", "困难"),
    "new": ("Not started", "未学习"), "studied": ("Studied", "已学习"), "mastered": ("Mastered", "已掌握"),
    "n_questions": ("questions", "道题"), "n_topics": ("topics", "个主题"), "shown": ("shown", "道符合条件"),
    "empty_topics": ("Topics with no questions yet", "还没有题目的主题"),
    "part_mechanism": ("Part 1 · The mechanism", "第一部分 · 注意力机制本身"),
    "part_applications": ("Part 2 · Attention in applications", "第二部分 · 注意力在各领域的应用"),
    "no_match": ("No question matches.", "没有符合条件的题目。"),
    "how": ("How to use attnbank", "怎么用 attnbank"),
    "how_site": ("Study here: read the question, answer it yourself, then open the model answer. Mark what "
                 "you have studied or mastered; progress stays in this browser (export it to move it).",
                 "在这里学：先读题、自己作答，再展开参考答案。把题目标记为已学习或已掌握；进度只存在当前浏览器里"
                 "（可导出后迁移到别的设备）。"),
    "how_code": ("Coding questions: write the starter file, fill it in, and let the grader run it.",
                 "编程题：先生成起始代码，写完后交给评测器运行检查。"),
    "how_practice": ("Practise in the terminal with spaced repetition.", "在终端里按间隔重复的节奏刷题。"),
    "export": ("Export progress", "导出进度"), "import": ("Import progress", "导入进度"),
    "imported": ("Progress imported.", "进度已导入。"),
    "import_bad": ("Not an attnbank progress file.", "不是 attnbank 的进度文件。"),
    "prompt": ("Question", "题目"), "hints": ("Hints", "提示"), "hint": ("Hint", "提示"),
    "answer": ("Model answer", "参考答案"),
    "try_first": ("Show the model answer (try it yourself first)", "查看参考答案（建议先自己想一想）"),
    "pitfalls": ("Pitfalls", "常见错误"), "follow_ups": ("Follow-ups", "追问"),
    "references": ("References", "参考文献"), "figures": ("Figures", "图示"),
    "signature": ("Signature", "函数签名"), "starter": ("Starter code", "起始代码"),
    "commands": ("Run it", "本地评测"), "copy": ("Copy", "复制"), "copied": ("Copied", "已复制"),
    "mistakes": ("Known mistakes the grader recognises", "评测器能识别的典型错误"),
    "reference": ("Reference solution", "参考实现"),
    "show_reference": ("Show the reference solution", "查看参考实现"),
    # the editor on coding pages (grader.serve grades what it sends)
    "ed_title": ("Your solution", "你的解答"),
    "ed_run": ("Run checks", "运行检查"), "ed_reset": ("Reset to starter", "恢复起始代码"),
    "ed_keys": ("Ctrl+Enter (⌘+Enter) runs the checks; your code is kept in this browser.",
                "Ctrl+Enter（⌘+Enter）运行检查；代码保存在本浏览器中。"),
    "ed_offline": ("To run the checks here, start the local grader with  attnbank site serve  and open the "
                   "address it prints. Until then, write here and grade the file in a terminal.",
                   "要在这里运行检查，先用  attnbank site serve  启动本地评测服务，再打开它打印的网址。"
                   "在此之前可以在这里写代码，然后在终端里评测文件。"),
    "ed_token": ("The grader is running but this page has no valid token: open the address  attnbank site serve  "
                 "printed.", "评测服务在运行，但本页没有有效的令牌：请打开  attnbank site serve  打印的网址。"),
    "ed_gone": ("The grader did not answer: is  attnbank site serve  still running?",
                "评测服务没有响应：attnbank site serve 还在运行吗？"),
    "ed_busy": ("A grade is already running; try again in a few seconds.", "已有评测在运行，请几秒后再试。"),
    "ed_running": ("Grading…", "评测中…"), "ed_seconds": ("s", "秒"),
    "ed_passed": ("Passed: every check holds.", "通过：所有检查都满足。"),
    "ed_failed": ("Failed", "未通过"), "ed_error": ("Your code raised an exception", "你的代码抛出了异常"),
    "ed_internal": ("Internal error in the grader, not in your code", "评测器内部错误，不是你的代码的问题"),
    "ed_timeout": ("Timed out: your code was stopped", "超时：你的代码被终止了"),
    "ed_crashed": ("Crashed: the process running your code died", "崩溃：运行你代码的进程异常退出"),
    "jail_off": ("note: grading without the sandbox (bubblewrap is missing or cannot create namespaces here): "
                 "submitted code can read your files and the network",
                 "注意：本次评测没有使用沙箱（bubblewrap 未安装或无法创建命名空间）："
                 "提交的代码可以读取你的文件并访问网络"),
    "ed_memory": ("Out of memory: your code allocated more than the sandbox allows",
                  "内存不足：你的代码申请的内存超过了沙箱的上限"),
    "ed_invalid": ("Cannot be graded", "无法评测"),
    "ed_case": ("case", "用例"), "ed_shapes": ("shapes", "形状"), "ed_seed": ("seed", "随机种子"),
    "ed_worst": ("worst element", "误差最大的元素"), "ed_expected": ("expected", "期望值"),
    "ed_got": ("yours", "你的结果"), "ed_err": ("max error", "最大误差"), "ed_tol": ("tolerance", "容差"),
    "ed_pattern_expected": ("Expected: which keys each query may see", "期望：每个 query 可以看到哪些 key"),
    "ed_pattern_actual": ("Yours: which keys each query's output depends on", "你的：每个 query 的输出依赖哪些 key"),
    "ed_at": ("at batch/head index", "位于 batch/head 下标"),
    "ed_diagnosis": ("Diagnosis", "诊断"), "ed_hint": ("Hint", "提示"),
    "ed_traceback": ("Traceback", "异常栈"), "ed_output": ("Last output", "最后的输出"),
    "ed_recorded": ("Recorded in your progress (attnbank stats).", "已记入学习进度（attnbank stats）。"),
    "choose_one": ("Choose one answer.", "单选。"),
    "choose_all": ("Choose every correct answer.", "多选：选出所有正确答案。"),
    "your_answer": ("Your answer", "你的答案"), "check": ("Check", "核对答案"),
    "correct": ("Correct.", "回答正确。"),
    "wrong": ("Not quite: see the explanations.", "不对，看看每个选项的解析。"),
    "wrong_num": ("Not quite.", "不对。"), "expected": ("Expected", "正确答案"),
    "pick_first": ("Pick an answer first.", "请先选择答案。"),
    "number_first": ("Enter a number first.", "请先输入一个数。"),
    "mark": ("Your progress", "学习进度"), "terminal": ("practice", "终端练习"),
    "prev": ("Previous", "上一题"), "next": ("Next", "下一题"),
    "skip": ("Skip to content", "跳到正文"),
    "filters": ("Filters", "筛选"),
    "footer": ("attnbank study site: built offline, no tracking, progress stays in your browser.",
               "attnbank 学习站：纯离线生成，无任何跟踪，进度只保存在你的浏览器里。"),

    # the terminal: `attnbank show`
    "starter_panel": ("Starter", "起始代码"),
    "answer_key": ("Answer", "正确答案"),
    "show_more": ("run with --answer to see the model answer", "加 --answer 查看参考答案"),
    "grade_with": ("Grade it with", "评测命令"),
    "dtypes_run": ("dtypes run: {dtypes}", "已评测的 dtype：{dtypes}"),
    # practice sessions
    "card_due": ("due", "到期复习"), "card_new": ("new", "新卡片"), "card_learning": ("learning", "学习中"),
    "think": ("Type your answer (optional), Enter to reveal · u undo · q quit › ",
              "先想一想或写下答案，回车查看参考答案 · u 撤销 · q 退出 › "),
    "rate": ("Rate: {keys}   [u] undo  [q] quit", "自评：{keys}   [u] 撤销  [q] 退出"),
    "rating_1": ("Again", "重来"),
    "rating_2": ("Hard", "困难"),
    "rating_3": ("Good", "良好"),
    "rating_4": ("Easy", "简单"),
    "invalid_key": ("Press one of: {keys}", "请按以下键之一：{keys}"),
    "choice": ("Your answer (letter{s}; u undo, q quit) › ", "你的答案（填选项字母{s}；u 撤销，q 退出）› "),
    "several": ("several correct: give every one", "多选题，需选出全部正确项"),
    "number": ("Your answer (a number{unit}; u undo, q quit) › ", "你的答案（填数值{unit}；u 撤销，q 退出）› "),
    "unit": (", unit {unit}", "，单位 {unit}"),
    "bad_choice": ("Give letters among {letters}.", "请填 {letters} 中的字母。"),
    "bad_number": ("Give a number, e.g. 4096 or 1.5e3.", "请填一个数，例如 4096 或 1.5e3。"),
    "quiz_right": ("Right", "答对了"), "quiz_wrong": ("Wrong", "答错了"), "rated": ("rated", "记为"),
    "you_said": ("you: {yours}   answer: {answer}", "你的答案：{yours}   正确答案：{answer}"), "sep": (", ", "，"),
    "due_in": ("due in {span}", "{span}后到期"),
    "pause": ("Any key: next card · u: undo · q: quit", "按任意键继续 · u 撤销 · q 退出"),
    "workspace": ("Starter written to: {file}", "起始代码已写入：{file}"),
    "kept": ("Your file (kept): {file}", "文件已存在，继续使用：{file}"),
    "fresh": ("A fresh attempt: your previous file was moved to {old}", "重新作答：之前的文件已移到 {old}"),
    "coding_next": ("Edit it; re-grade on every save with", "改完保存即自动评测："),
    "or_grade": ("or grade once with", "或手动评测一次："),
    "coding_keys": ("[g] grade now  [e] edit  [h] hint  [r] reset to starter  [n] skip till tomorrow  "
                    "[1] Again  [u] undo  [q] quit",
                    "[g] 立即评测  [e] 编辑  [h] 提示  [r] 恢复起始代码  [n] 明天再做  [1] 重来  [u] 撤销  [q] 退出"),
    "drill_passed": ("every check passed", "全部检查通过"),
    "no_editor": ("Set $EDITOR (or $VISUAL) to edit here, or edit {file} in your own editor.",
                  "请设置 $EDITOR（或 $VISUAL）才能在这里编辑；也可以用你自己的编辑器打开 {file}。"),
    "editor_failed": ("Cannot start the editor '{editor}': {error}", "无法启动编辑器「{editor}」：{error}"),
    "buried": ("Skipped: back after {when}.", "已跳过：{when} 之后再出现。"),
    "undone": ("Undone: {title} ({rating}); here it is again.", "已撤销：{title}（{rating}），重新作答。"),
    "nothing_to_undo": ("Nothing to undo in this session.", "本次还没有可撤销的评分。"),
    "undo_failed": ("Cannot undo: {error}", "无法撤销：{error}"),
    "kept_in_memory": ("Not saved yet ({error}); the rating is kept and retried with the next one.",
                       "暂未保存（{error}）；评分已暂存，下一次评分时重试。"),
    "rescued": ("{n} rating(s) could not be saved; they are in {file}: attnbank progress import {file} --db {db}",
                "有 {n} 条评分没能保存，已写入 {file}：attnbank progress import {file} --db {db}"),
    "rescue_failed": ("Could not save these ratings anywhere ({error}); here they are:",
                      "这些评分无处保存（{error}），内容如下："),
    "leech": ("Leech: rated Again {n} times. Rewrite it in your own words, or suspend it.",
              "顽固卡片：已经 {n} 次选“重来”。换种说法重新理解，或者先暂停它。"),
    "leech_keys": ("[s] suspend it  [k] keep it", "[s] 暂停这张卡片  [k] 继续保留"),
    "suspended": ("Suspended {id}: attnbank unsuspend {id} brings it back.",
                  "已暂停 {id}；用 attnbank unsuspend {id} 恢复。"),
    "nothing": ("Nothing to practise: no card is due and no new one is left{filters}.",
                "没有要复习的卡片，也没有可学的新卡片{filters}。"),
    "next_due": ("Next card due {when} (in {span}).", "下一张卡片 {when} 到期（{span}后）。"),
    "due_now": ("{n} card(s) are due now: run attnbank practice again.",
                "现在有 {n} 张卡片到期：再运行一次 attnbank practice。"),
    "held": ("Daily limits reached: {new} new and {due} due card(s) wait for tomorrow (--new, --reviews).",
             "已达今日上限：{new} 张新卡片和 {due} 张到期卡片留到明天（可用 --new、--reviews 调整）。"),
    "done": ("Session over: {n} reviewed ({counts}), {accuracy} not Again, {time}. Progress saved in {db}.",
             "本次复习结束：共 {n} 张（{counts}），{accuracy} 没有选“重来”，用时 {time}。进度已保存到 {db}。"),
    "duration": ("{m} min {s} s", "{m} 分 {s} 秒"),
    "pending_drill": ("Drill pending: {id}: attnbank watch {id} {file} --db {db}",
                      "待完成的编程题 {id}：attnbank watch {id} {file} --db {db}"),
    "script_end": ("The answers file ended; session saved.", "答案文件已读完，进度已保存。"),
    # watch mode
    "watching": ("Watching {file}: save it to re-grade; Ctrl-C to stop.",
                 "正在监视 {file}：保存即重新评测，Ctrl-C 退出。"),
    "hint_n": ("Hint {i} of {n}", "提示 {i}/{n}"),
    "no_more_hints": ("Every hint is shown.", "提示已经全部显示。"),
    "untouched": ("{file} is still the starter: edit it and save (hints come after a real attempt).",
                  "{file} 还是起始代码：改完保存后再评测（提示在真正尝试之后才出现）。"),
    "gone": ("{file} is gone; waiting for it to come back.", "文件 {file} 不存在了，等待重新创建。"),
    "recorded": ("Review recorded ({rating}); next due {due} UTC.", "已记一次复习（{rating}），下次 {due} UTC 到期。"),
    "logged": ("Passed again; the card is not due, so only the grade was logged.",
               "再次通过；这张卡片还没到期，只记录评测结果。"),
    "not_recorded": ("Progress not recorded: {error}", "进度没有记录：{error}"),
    # `attnbank stats`
    "per_day": ("Reviews per day (last {days} days)", "每日复习量（最近 {days} 天）"),
    "retention": ("Retention:", "记忆保持率："),
    "retention_note": ("{pct} of {n} repeat reviews (a day or more apart) not rated Again",
                       "{n} 次间隔一天以上的重复复习中，{pct} 没有选“重来”"),
    "none": ("no repeat reviews yet", "还没有重复复习"), "stats_due": ("Due:", "到期："),
    "due_line": ("{now} now, {overdue} of them overdue (due before today)",
                 "现在 {now} 张，其中 {overdue} 张已过期（今天之前到期）"),
    "forecast": ("Forecast:", "未来到期："),
    "streak": ("streak {n} day(s)", "连续学习 {n} 天"), "time_studied": ("{m} min studied", "累计学习 {m} 分钟"),
    "stats_topics": ("Weakest topics first (by share of Again)", "最薄弱的主题在前（按“重来”占比）"),
    "stats_topic": ("topic", "主题"), "again_col": ("Again", "重来"),
    "stats_mastered": ("mastered", "已掌握"),
    "learning": ("learning", "学习中"),
    "stats_new": ("new", "未学"), "status_passed": ("passed", "已通过"),
    "more_topics": ("… and {n} more started topics", "……另有 {n} 个已开始的主题"),
    "not_started": ("Not started ({n}): {names}", "未开始（{n} 个）：{names}"), "list_sep": ("; ", "、"),
    "bar": ("progress", "进度"), "total": ("Total reviews: {n}", "累计复习 {n} 次"),
    # generic diagnoses (grader.diagnose): "{kind}_t" is the title, "{kind}_x" the explanation
    "mask-inverted_t": ("Mask `{arg}` read with the opposite polarity", "掩码 `{arg}` 的极性弄反了"),
    "mask-inverted_x": ("Your outputs match the reference given `~{arg}`: the positions meant to be allowed are "
                        "blocked and the blocked ones are used. Check which value means \"may attend\" in the prompt.",
                        "你的输出与参考实现在 `~{arg}` 上的输出一致：本该允许的位置被屏蔽了，本该屏蔽的位置反而参与了"
                        "计算。请按题目确认掩码里哪个值表示“可以关注”。"),
    "argument-ignored_t": ("`{arg}` ignored: it behaves as if it were always {value}",
                           "忽略了参数 `{arg}`：行为就像它总是 {value}"),
    "argument-ignored_x": ("Your outputs match the reference called with `{arg}={value}`, whatever `{arg}` was "
                           "passed. Read the argument and use it.",
                           "不论传入的 `{arg}` 是多少，你的输出都与参考实现在 `{arg}={value}` 时一致。"
                           "要读取并使用这个参数。"),
    "none-as-value_t": ("`{arg}=None` handled as `{arg}={value}`", "`{arg}=None` 被当成了 `{arg}={value}`"),
    "none-as-value_x": ("Where `{arg}` is None your outputs match the reference given `{arg}={value}`; the prompt "
                        "gives None another meaning. Explicit values are handled correctly.",
                        "`{arg}` 为 None 时，你的输出与参考实现在 `{arg}={value}` 时一致；题目里 None 的含义不是这个。"
                        "显式传入的值处理得没错。"),
    "falsy-as-none_t": ("A falsy `{arg}` treated as None", "`{arg}` 为 0/False 时被当成了 None"),
    "falsy-as-none_x": ("Where `{arg}` is 0 or False your outputs match the reference given `{arg}=None`: a test "
                        "such as `{arg} or default` or `if not {arg}` replaces a legitimate value by the default. "
                        "Test `{arg} is None` instead.",
                        "`{arg}` 为 0 或 False 时，你的输出与参考实现在 `{arg}=None` 时一致：`{arg} or default` 或 "
                        "`if not {arg}` 这类写法会把合法的 0 换成默认值。应该判断 `{arg} is None`。"),
    "scale-default_t": ("Scale {value} used when `{arg}` is None", "`{arg}` 为 None 时用了 {value} 作为缩放"),
    "scale-default_x": ("Where `{arg}` is None your outputs match the reference given `{arg}={value}` (with each "
                        "case's dimensions), which is not the default the prompt gives; an explicit `{arg}` is used "
                        "correctly.",
                        "`{arg}` 为 None 时，你的输出与参考实现在 `{arg}={value}`（按各用例的维度）时一致，而这不是题目"
                        "规定的默认值；显式传入的 `{arg}` 用得没错。"),
    "softmax-axis_t": ("Softmax over axis {axis}", "softmax 做在了第 {axis} 维上"),
    "softmax-axis_x": ("Your outputs match the reference with its softmax taken over axis {axis} instead of its own "
                       "axis: the weights no longer sum to one over the positions they choose between.",
                       "你的输出与参考实现把 softmax 改到第 {axis} 维上做时一致：权重不再在应该竞争的那些位置上"
                       "归一化。"),
    "scale-factor_t": ("Scores off by a factor {factor}", "打分差了 {factor} 倍"),
    "scale-factor_x": ("Your outputs match the reference with the scores that enter its softmax multiplied by "
                       "{factor} (each case's dimensions): the scale uses another dimension or power than it "
                       "should, is applied twice, or is missing.",
                       "你的输出与参考实现把进入 softmax 的打分乘以 {factor}（按各用例的维度）时一致：缩放用错了维度或"
                       "幂次，或者乘了两次，或者漏掉了。"),
    "output-dtype_t": ("Output {index} returned as {got}, not {expected}", "输出 {index} 是 {got}，应为 {expected}"),
    "output-dtype_x": ("Its values are right once cast to {expected}: return the dtype the prompt asks for (cast "
                       "the result back after computing in another precision).",
                       "转换成 {expected} 后数值是对的：要返回题目要求的 dtype（用别的精度算完后要转换回来）。"),
    "nan-empty-rows_t": ("NaN on rows with no allowed key", "没有可关注位置的行输出了 NaN"),
    "nan-empty-rows_x": ("Every other row matches the oracle. A row whose keys are all masked is all -inf and a "
                         "plain softmax gives NaN there; such a row must come out as if no key had any weight "
                         "(zeros before any output projection).",
                         "其余各行都与标准答案一致。所有 key 都被屏蔽的行全是 -inf，直接 softmax 会得到 NaN；这样的行"
                         "应当等同于所有 key 的权重都为 0（在输出投影之前为 0）。"),
    "empty-rows-not-zero_t": ("Wrong output for rows with no allowed key", "没有可关注位置的行输出不对"),
    "empty-rows-not-zero_x": ("Every other row matches the oracle; only the rows of queries with no allowed key "
                              "differ. They must come out as if no key had any weight (zeros, or all False for a "
                              "mask). A finite fill such as -1e9 or finfo.min turns such a row into a uniform "
                              "average, and letting it attend to something anyway is wrong too.",
                              "其余各行都与标准答案一致，只有没有可关注位置的 query 所在的行不一致。这些行应当等同于"
                              "所有 key 的权重都为 0（输出 0，掩码则全为 False）。用 -1e9 或 finfo.min 这类有限值"
                              "填充会让这样的行变成均匀平均；硬让它关注某个位置也不对。"),
    "pairs-interleaved_t": ("Feature pairs interleaved (2i, 2i+1) instead of split halves (i, i + D/2)",
                            "特征按相邻位置 (2i, 2i+1) 配对，而不是前后对半 (i, i + D/2)"),
    "pairs-interleaved_x": ("Your outputs match the reference applied to features paired as neighbours, the "
                            "layout of Meta's Llama code and GPT-J, where the prompt pairs feature i with "
                            "i + D/2 (GPT-NeoX, Hugging Face's rotate_half). Both are valid conventions; weights "
                            "trained with one are wrong under the other.",
                            "你的输出与参考实现按相邻特征配对（Meta 的 Llama 代码和 GPT-J 的写法）时一致，"
                            "而题目要求第 i 个特征与第 i + D/2 个配对（GPT-NeoX、Hugging Face 的 rotate_half）。"
                            "两种约定都成立，但用一种训练的权重放到另一种下就是错的。"),
    "accepts-invalid_t": ("Invalid arguments accepted (case {cases})", "非法参数没有被拒绝（用例 {cases}）"),
    "accepts-invalid_x": ("Every valid case is right, but on {cases} the prompt asks for {exc} and your code "
                          "returned a result. Check the arguments before computing and raise {exc} with a message.",
                          "合法用例全部正确，但在 {cases} 上题目要求抛出 {exc}，你的代码却返回了结果。"
                          "计算前先检查参数，并抛出带说明的 {exc}。"),
    "wrong-exception_t": ("{got} instead of {exc} for invalid arguments (case {cases})",
                          "非法参数抛出了 {got} 而不是 {exc}（用例 {cases}）"),
    "wrong-exception_x": ("Every valid case is right, but on {cases} a later operation fails with {got}: "
                          "validate the arguments explicitly and raise {exc}, the exception callers catch.",
                          "合法用例全部正确，但在 {cases} 上是后面的运算报了 {got}：应该显式检查参数并抛出 {exc}，"
                          "调用方捕获的是这个异常。"),
    "mutates-input_t": ("Argument `{arg}` modified in place", "原地修改了参数 `{arg}`"),
    "mutates-input_x": ("Every value is right, but the caller's `{arg}` is changed by the call. Callers keep "
                        "using their tensors: work on a copy (x = x * s, not x *= s, x.mul_(s) or an indexed "
                        "assignment into the argument).",
                        "所有数值都正确，但调用会改掉调用方的 `{arg}`。调用方之后还会用这些张量：要在副本上计算"
                        "（写 x = x * s，不要写 x *= s、x.mul_(s) 或对参数做索引赋值）。"),
    "weights-transposed_t": ("Weight matrices applied transposed", "权重矩阵用成了转置"),
    "weights-transposed_x": ("Your outputs match the reference given every weight matrix transposed: x @ w "
                             "where the layout (nn.Linear's [out, in]) needs x @ w.T. With square weights nothing "
                             "crashes, so only the values show it.",
                             "你的输出与参考实现把每个权重矩阵都转置后的结果一致：按 nn.Linear 的 [out, in] 布局应该写 "
                             "x @ w.T，你写成了 x @ w。权重是方阵时不会报错，只有数值能看出来。"),
    "transpose-as-view_t": ("A view or reshape where a transpose belongs ({which} transpose of two axes)",
                            "该转置的地方用了 view / reshape（{which}两轴转置）"),
    "transpose-as-view_x": ("Your outputs match the reference with {which} of its transposes of two neighbouring "
                            "axes replaced by a reshape into the swapped shape. A view reinterprets memory in "
                            "order: [B, L, E] viewed as [B, H, L, D] mixes positions and heads, and [B, C, H*W] "
                            "reshaped to [B, H*W, C] mixes channels and pixels. Transpose (or permute) the axes "
                            "first, then reshape.",
                            "你的输出与参考实现把{which}相邻两轴的转置换成“reshape 成交换后的形状”时一致。view 只是"
                            "按内存顺序重新解释：把 [B, L, E] 直接 view 成 [B, H, L, D] 会把位置和 head 混在一起，把 "
                            "[B, C, H*W] 直接 reshape 成 [B, H*W, C] 会把通道和像素混在一起。应先 transpose（或 "
                            "permute）再 reshape。"),
    "swap-every": ("every", "每一个"), "swap-first": ("the first", "第一个"), "swap-last": ("the last", "最后一个"),
    "swap-but-last": ("all but the last", "除最后一个外的每个"),
    "swap-first-last": ("the first and the last", "第一个和最后一个"),
    "swap-middle": ("all but the first and the last", "除第一个和最后一个外的每个"),
    "partial_match": (" (on {matched} of {total} cases)", "（{total} 个用例中有 {matched} 个符合）"),
}


def strings(lang: str) -> dict[str, str]:
    """The table in one language."""
    i = LANGS.index(lang)
    return {key: pair[i] for key, pair in TEXT.items()}
