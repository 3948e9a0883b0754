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
    "choose_one": ("Choose one answer.", "单选。"),
    "choose_all": ("Choose every correct answer.", "多选：选出所有正确答案。"),
    "your_answer": ("Your answer", "你的答案"), "check": ("Check", "核对答案"),
    "correct": ("Correct.", "回答正确。"),
    "wrong": ("Not quite: see the explanations.", "不对，看看每个选项的解析。"),
    "wrong_num": ("Not quite.", "不对。"), "expected": ("Expected", "正确答案"),
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
    # practice sessions
    "card_due": ("due", "到期复习"), "card_new": ("new", "新卡片"),
    "think": ("Type your answer (optional), Enter to reveal › ", "先想一想或写下答案，回车查看参考答案 › "),
    "rate": ("Rate: [1] Again  [2] Hard  [3] Good  [4] Easy   [q] quit",
             "自评：[1] 重来  [2] 困难  [3] 良好  [4] 简单   [q] 退出"),
    "rating_1": ("Again", "重来"),
    "rating_2": ("Hard", "困难"),
    "rating_3": ("Good", "良好"),
    "rating_4": ("Easy", "简单"),
    "choice": ("Your answer (letter{s}; q to quit) › ", "你的答案（填选项字母{s}；q 退出）› "),
    "several": ("several correct: give every one", "多选题，需选出全部正确项"),
    "number": ("Your answer (a number{unit}; q to quit) › ", "你的答案（填数值{unit}；q 退出）› "),
    "unit": (" in {unit}", "，单位 {unit}"),
    "bad_choice": ("Give letters among {letters}.", "请填 {letters} 中的字母。"),
    "bad_number": ("Give a number, e.g. 4096 or 1.5e3.", "请填一个数，例如 4096 或 1.5e3。"),
    "quiz_right": ("Right", "答对了"), "quiz_wrong": ("Wrong", "答错了"), "rated": ("rated", "记为"),
    "workspace": ("Starter written to", "起始代码已写入"), "kept": ("Your file (kept)", "文件已存在，继续使用"),
    "coding_next": ("Edit it; re-grade on every save with", "改完保存即自动评测："),
    "or_grade": ("or grade once with", "或手动评测一次："),
    "coding_keys": ("[n] next (the review is recorded when your code passes)  [1] Again (give up for now)  [q] quit",
                    "[n] 下一题（代码通过评测时记一次复习）  [1] 重来（先放一放）  [q] 退出"),
    "nothing": ("Nothing to practise: no card is due and there are no new ones{filters}.",
                "没有要复习的卡片，也没有新卡片{filters}。"),
    "next_due": ("Next card due {when} UTC.", "下一张卡片 {when} UTC 到期。"),
    "done": ("Session over: {n} reviewed ({counts}). Progress saved in {db}.",
             "本次复习结束：共 {n} 张（{counts}），进度已保存到 {db}。"),
    "script_end": ("The answers file ended; session saved.", "答案文件已读完，进度已保存。"),
    # watch mode
    "watching": ("Watching {file}: save it to re-grade; Ctrl-C to stop.",
                 "正在监视 {file}：保存即重新评测，Ctrl-C 退出。"),
    "hint_n": ("Hint {i}", "提示 {i}"),
    "gone": ("{file} is gone; waiting for it to come back.", "文件 {file} 不存在了，等待重新创建。"),
    "recorded": ("Review recorded ({rating}); next due {due} UTC.", "已记一次复习（{rating}），下次 {due} UTC 到期。"),
    "logged": ("Passed again; the card is not due, so only the grade was logged.",
               "再次通过；这张卡片还没到期，只记录评测结果。"),
    # `attnbank stats`
    "per_day": ("Reviews per day (last {days} days, UTC)", "每日复习量（最近 {days} 天，UTC）"),
    "retention": ("Retention", "记忆保持率"),
    "retention_note": ("{pct} of {n} repeat reviews not rated Again", "{n} 次重复复习中 {pct} 没有选“重来”"),
    "none": ("no repeat reviews yet", "还没有重复复习"), "stats_due": ("Due", "到期"),
    "due_line": ("{today} today, {week} within 7 days", "今天 {today} 张，7 天内 {week} 张"),
    "stats_topics": ("Mastery per topic", "各主题掌握度"), "stats_topic": ("topic", "主题"),
    "stats_mastered": ("mastered", "已掌握"),
    "learning": ("learning", "学习中"),
    "stats_new": ("new", "未学"),
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
