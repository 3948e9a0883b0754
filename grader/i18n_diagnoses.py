"""The diagnoses' strings (grader.diagnose and its diagnosers), key -> (English, Chinese): part of the one
table grader.i18n.TEXT, kept apart because they are most of it. `NAME_t` is a diagnosis' title and `NAME_x` its
explanation; the other keys are pieces those are built from."""

from __future__ import annotations

CALL_T = ("{swap} ({which} call)", "{swap}（{which}调用）")  # the title of a swapped call (grader.diagnosers_calls)
PARAMETERS_X = ("The grader loads the reference's weights by name, and your module's state dict has "
                "other names: a bias the prompt does not have (nn.Linear and nn.Conv2d add one by "
                "default) or one it has, another layer or activation with its own weights, or an "
                "extra parameter. Create exactly the layers and parameters the prompt names.",
                "评测器按名字加载参考实现的权重，而你的模块的 state dict 里名字不一样：多了题目没有的 "
                "bias（nn.Linear 和 nn.Conv2d 默认带 bias），或少了题目有的 bias，换了带自身权重的层或"
                "激活函数，或多注册了参数。要严格按题目给出的层和参数来建。")

DIAGNOSES: dict[str, tuple[str, str]] = {
    "mask-inverted_t": ("Mask `{arg}` read with the opposite polarity", "掩码 `{arg}` 的极性弄反了"),
    "mask-inverted_x": ("Your outputs match the reference given `~{arg}`: the positions meant to be allowed are "
                        "blocked and the blocked ones are used. Check which value means \"may attend\" in the prompt.",
                        "你的输出与参考实现在 `~{arg}` 上的输出一致：本该允许的位置被屏蔽了，本该屏蔽的位置反而参与了"
                        "计算。请按题目确认掩码里哪个值表示“可以关注”。"),
    "mask-transposed_t": ("Mask `{arg}` read transposed", "掩码 `{arg}` 被转置着读了"),
    "mask-transposed_x": ("Your outputs match the reference given `{arg}` transposed: entry [i, j] is read as "
                          "[j, i], so query i uses the row of key i. Check which axis the prompt gives the queries.",
                          "你的输出与参考实现在 `{arg}` 转置后的输出一致：[i, j] 被当成了 [j, i]，query i 用的是"
                          "key i 那一行。请按题目确认哪一维对应 query。"),
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
    "raises-when_t": ("Raises whenever {cond}", "只要 {cond} 就报错"),
    "raises-when_x": ("Your code raised on the {n} of {total} value cases where {cond} and on no other ({exc}). "
                      "The prompt allows them: the code assumes the opposite (a transpose, unsqueeze or "
                      "broadcast that lines up only then, an optional argument always given). {rest}",
                      "你的代码在 {total} 个数值用例中满足 {cond} 的 {n} 个上报错，其余都没有报错（{exc}）。"
                      "题目允许这样的输入：代码默认了相反的情况（只有这时才对得上的转置、unsqueeze 或广播，"
                      "或者默认可选参数总会传入）。{rest}"),
    "raises-rest-right": ("On the other cases its outputs are right.", "其余用例的输出是对的。"),
    "raises-rest-wrong": ("Its outputs are wrong on the other cases too.", "其余用例的输出也不对。"),
    "parameters-differ_t": ("Parameters differ from the question's (missing {missing}; unexpected {extra})",
                            "参数与题目不符（缺少 {missing}；多出 {extra}）"),
    "parameters-missing_t": ("Parameters missing: {missing}", "缺少参数：{missing}"),
    "parameters-unexpected_t": ("Unexpected parameters: {extra}", "多出了参数：{extra}"),
    "parameters-differ_x": PARAMETERS_X, "parameters-missing_x": PARAMETERS_X, "parameters-unexpected_x": PARAMETERS_X,
    "parameter-shape_t": ("Parameter {name} has shape {got}, expected {expected}",
                          "参数 {name} 的形状是 {got}，应为 {expected}"),
    "parameter-shape_x": ("The names match the question's but this shape does not, so the reference's weights do not "
                          "load (a 0-d tensor for [1], a transposed weight, another size).",
                          "名字对但形状不对，参考权重加载不进来（该是 [1] 却是 0 维、权重转置或尺寸不对）。"),
    "activation_t": ("{swap}", "{swap}"),
    "activation_x": ("Your outputs match the reference run with that change to each call of the activation. "
                     "Use exactly the activation the prompt names (F.gelu's default is the exact erf GELU).",
                     "你的输出与参考实现把每一处该激活函数都这样改动后的结果一致。要严格使用题目指定的激活函数"
                     "（F.gelu 默认就是精确的 erf GELU）。"),
    "gelu-as-relu": ("ReLU where the exact GELU belongs", "该用精确 GELU 的地方用了 ReLU"),
    "gelu-tanh-approximation": ("The tanh approximation of GELU instead of the exact (erf) GELU",
                                "用了 GELU 的 tanh 近似，而不是精确（erf）的 GELU"),
    "relu-dropped": ("The ReLU left out", "漏掉了 ReLU"), "tanh-dropped": ("The tanh left out", "漏掉了 tanh"),
    "sigmoid-as-hard-sigmoid": ("A hard sigmoid instead of the sigmoid", "用了 hard sigmoid 而不是 sigmoid"),
    "additive-mask-output_t": ("An additive float mask (0 / a large negative fill) returned instead of a bool mask",
                               "返回了加性 float 掩码（0 / 很大的负数），而不是 bool 掩码"),
    "additive-mask-output_x": ("Your mask is right as an additive mask (0 = may attend, a large negative number = "
                               "may not); the prompt asks for a bool mask, True = may attend.",
                               "作为加性掩码你的结果是对的（0 表示可以关注，很大的负数表示不能），但题目要的是"
                               " bool 掩码，True 表示可以关注。"),
    "mask-output-inverted_t": ("The mask returned with its polarity inverted (True = blocked)",
                               "返回的掩码极性反了（True 表示屏蔽）"),
    "mask-output-inverted_x": ("Your output is exactly the negation of the expected mask, True where a query may "
                               "not attend (nn.MultiheadAttention's convention); the prompt's True = may attend.",
                               "你的输出恰好是期望掩码取反：True 表示不能关注（nn.MultiheadAttention 的约定），"
                               "而题目的约定是 True 表示可以关注。"),
    "float32-inside_t": ("Float64 inputs computed in float32", "float64 输入被降到 float32 计算"),
    "float32-inside_x": ("Every float output is a float32 number cast back to float64, off by float32's rounding: "
                         "the arithmetic ran in float32 (a hard-coded dtype, a float32 buffer or weight).",
                         "每个浮点输出都是 float32 数值转回 float64，差了 float32 的舍入误差：运算是在 float32 里"
                         "做的（写死了 dtype，或用了 float32 的缓冲区、权重）。"),
    "constant-overflows_t": ("A constant too large for {dtype}", "常数超出了 {dtype} 的范围"),
    "constant-overflows_x": ("A Python constant written into a {dtype} tensor (a fill such as -1e9) exceeds its "
                             "largest value, {max}: fill with float('-inf') or torch.finfo(x.dtype).min.",
                             "写进 {dtype} 张量的 Python 常数（如用 -1e9 填充）超过了它的最大值 {max}：改用 "
                             "float('-inf') 或 torch.finfo(x.dtype).min 填充。"),
    "reduction-swap_t": CALL_T, "causal-diagonal_t": CALL_T, "concat-order_t": CALL_T,
    "reduction-swap_x": ("Your outputs match the reference with that change to the mean call named. Check which "
                         "reduction the prompt asks for, and over which axes.",
                         "你的输出与参考实现把所指的那次求平均这样改动后的结果一致。请确认题目要求的是哪种归约、"
                         "在哪些维度上做。"),
    "mean-as-sum": ("A sum where the mean belongs", "该求平均的地方求了和"),
    "mean-as-max": ("A max where the mean belongs", "该求平均的地方取了最大值"),
    "cat-first-two-swapped": ("The first two blocks of a concatenation in the wrong order", "拼接时前两块的顺序反了"),
    "concat-order_x": ("Your outputs match the reference with the first two tensors of that torch.cat swapped: "
                       "the next layer reads each block with the other's weights. Keep the prompt's order.",
                       "与参考实现把那次 torch.cat 的前两个张量互换后一致：后面的层拿错了权重。要按题目顺序拼接。"),
    "causal-diagonal_x": ("Your outputs match the reference with that change to the tril call named. The Lq "
                          "queries are the last Lq of the Lk positions, so query i sees keys j <= i + Lk - Lq: "
                          "tril(diagonal=Lk - Lq), bottom-right aligned.",
                          "你的输出与参考实现把所指的那次 tril 这样改动后的结果一致。Lq 个 query 是 Lk 个位置中的最后 "
                          "Lq 个，所以 query i 能看到 j <= i + Lk - Lq 的 key：tril(diagonal=Lk - Lq)，右下角对齐。"),
    "diagonal-plus-one": ("The causal diagonal one too high: each query also sees the next key",
                          "因果掩码的对角线高了一位：每个 query 还能看到下一个 key"),
    "diagonal-minus-one": ("The causal diagonal one too low: a query does not see its own key",
                           "因果掩码的对角线低了一位：query 看不到自己位置的 key"),
    "diagonal-zero": ("The causal mask aligned top-left (diagonal 0) instead of bottom-right",
                      "因果掩码按左上角对齐（diagonal=0），而不是右下角"),
    "triu-for-tril": ("The causal mask built with triu: queries see the future instead of the past",
                      "因果掩码用了 triu：query 看到的是未来而不是过去"),
    "output-squeezed_t": ("Output {index} has shape {got}, expected {expected}", "输出 {index} 的形状是 {got}，应为"
                          " {expected}"),
    "output-squeezed_x": ("Its values are right: an axis of size 1 is missing or one too many (keepdim, squeeze or "
                          "unsqueeze), so the caller's broadcasting breaks. Return the prompt's shape.",
                          "数值是对的，只是多了或少了一个长度为 1 的维度（keepdim、squeeze 或 unsqueeze），调用方的"
                          "广播会出错。要返回题目要求的形状。"),
    "partial_match": (" (on {matched} of {total} cases)", "（{total} 个用例中有 {matched} 个符合）"),
}
