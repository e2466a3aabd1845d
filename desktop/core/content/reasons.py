"""Why a content pack is wrong, in two languages from one place: English for
`callassist content check` and IT's log, Chinese for the team lead's problems panel.

Every problem the loader reports names a code here; `say(code, **params)` fills both
templates with the same values, so no reason reaches the panel in English only and no
Chinese text is guessed back from an English sentence.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Said:
    """One reason, filled in: its code, the English text and the Chinese text."""

    code: str
    en: str
    zh: str


# code: (English template, Chinese template); both take the same {names}.
REASONS: dict[str, tuple[str, str]] = {
    # values of the wrong kind
    "missing": ("missing", "缺少此项（必须填写）"),
    "expected_string": ("expected a string", "应为文字（用英文双引号括起来）"),
    "must_not_be_empty": ("must not be empty", "不能为空"),
    "invalid_id": (
        "invalid id '{value}' (use lowercase letters, digits and _)",
        "编号「{value}」无效（只能用小写英文字母、数字和 _，并以字母开头）",
    ),
    "expected_boolean": ("expected a boolean", "应为 true 或 false"),
    "expected_integer": ("expected an integer", "应为整数（不加引号）"),
    "must_not_be_negative": ("must not be negative", "不能是负数"),
    "too_many_minutes": (
        "must be at most {limit} (366 days)",
        "不能超过 {limit} 分钟（366 天）",
    ),
    "expected_strings": ("expected a list of strings", '应为文字列表，例如 ["甲", "乙"]'),
    "expected_table": ("expected a table", "应为一个表（[名称] 段落）"),
    "expected_tables": ("expected an array of tables", "应为表数组（[[名称]] 段落）"),
    "unknown_key": ("unknown key", "未知的键（多半是拼写错误）"),
    "unknown_choice": (
        "unknown {what} '{value}' (use one of: {allowed})",
        "未知的{what_zh}「{value}」（可用：{allowed}）",
    ),
    # files
    "file_not_found": ("file not found", "找不到这个文件"),
    "cannot_read": ("cannot read: {detail}", "无法读取：{detail_zh}（{detail}）"),
    "not_utf8": (
        "not UTF-8 text (invalid byte at offset {offset})",
        "不是 UTF-8 编码的文本（第 {offset} 个字节无效），请在编辑器中另存为 UTF-8",
    ),
    "toml_syntax": (
        "TOML syntax error: {detail}",
        "TOML 格式错误，文件无法读取（{detail}）；常见原因：文字没加引号、引号或括号不成对、"
        "同一个键写了两次",
    ),
    "toml_syntax_at": (
        "TOML syntax error: {detail} (column {column})",
        "第 {line} 行第 {column} 列 TOML 格式错误，文件无法读取（{detail}）；常见原因：文字没加引号、"
        "引号或括号不成对、同一个键写了两次",
    ),
    "toml_too_deep": ("TOML syntax error: nested too deeply", "TOML 格式错误：嵌套层数过多"),
    "pack_dir_not_found": ("pack directory not found: {path}", "找不到内容包文件夹：{path}"),
    "scripts_dir_not_found": ("directory not found", "找不到 scripts 文件夹"),
    "no_script_files": ("no script files (*.toml)", "scripts 文件夹里没有话术文件（*.toml）"),
    # pack.toml variables
    "invalid_variable_name": (
        "invalid name '{name}' (use lowercase letters, digits and _)",
        "变量名「{name}」无效（只能用小写英文字母、数字和 _，并以字母开头）",
    ),
    "variable_is_the_apps": (
        "'{name}' is filled in by the app; choose another name",
        "「{name}」由软件自动填写，请换一个变量名",
    ),
    "no_braces": ("must not contain braces", "不能包含花括号 {{ }}"),
    # call types
    "any_is_reserved": (
        "'{any}' is reserved for scripts that fit every type",
        "「{any}」专用于适合所有来电类型的话术，不能用作来电类型的键",
    ),
    "duplicate_key": ("duplicate key", "键重复：前面已有同名的一项"),
    "invalid_shortcut": (
        "invalid shortcut '{shortcut}' (use F1–F12 or one letter or digit)",
        "快捷键「{shortcut}」无效（请用 F1–F12，或一个字母、数字）",
    ),
    "shortcut_taken": (
        "shortcut '{shortcut}' is already used by '{other}'",
        "快捷键「{shortcut}」已被「{other}」使用",
    ),
    "invalid_colour": (
        "invalid colour '{color}' (use #RRGGBB)",
        "颜色「{color}」无效（格式为 #RRGGBB）",
    ),
    "colour_too_light": (
        "colour {color} is too light for white text (contrast {ratio}:1, need {need}:1)",
        "颜色 {color} 太浅，按钮上的白字看不清（对比度 {ratio}:1，至少需要 {need}:1）",
    ),
    "no_call_types": ("no call types defined", "没有定义任何来电类型"),
    "unknown_call_type": (
        "unknown call type '{type}'",
        "未知的来电类型「{type}」（call_types.toml 中没有这个键）",
    ),
    # checklists
    "no_checklist": ("call type '{type}' has no checklist", "来电类型「{type}」没有流程清单"),
    "empty_checklist": ("checklist is empty", "流程清单是空的"),
    "duplicate_step": ("duplicate step key '{key}'", "步骤键「{key}」重复"),
    "first_step": ("must start with step '{step}'", "流程清单的第一步必须是「{step}」"),
    "last_step": ("must end with step '{step}'", "流程清单的最后一步必须是「{step}」"),
    "unknown_script": ("unknown script id '{id}'", "未知的话术编号「{id}」（没有这条话术）"),
    "script_of_other_type": (
        "script '{id}' is for call type '{type}'",
        "话术「{id}」属于来电类型「{type}」，不能用在这个流程清单中",
    ),
    # scripts
    "duplicate_script": ("duplicate id (also in {file})", "话术编号重复（{file} 中已有）"),
    "step_in_no_checklist": (
        "step '{step}' is in no checklist",
        "步骤「{step}」不在任何流程清单中",
    ),
    "step_not_in_checklist": (
        "step '{step}' is not in the '{type}' checklist",
        "步骤「{step}」不在「{type}」的流程清单中",
    ),
    "not_for_needs_any": (
        "only a script for call type '{any}' can exclude types",
        '只有 call_type = "{any}" 的话术才能用 not_for 排除来电类型',
    ),
    "unbalanced_braces": (
        "unbalanced braces",
        "花括号不成对（要显示花括号本身，请写 {{{{ 或 }}}}）",
    ),
    "empty_placeholder": ("empty placeholder {{}}", "空的占位符 {{}}（花括号里没有变量名）"),
    "format_spec": (
        "format spec not allowed in {{{name}}}",
        "占位符 {{{name}}} 里不能有格式说明（: 或 !）",
    ),
    "unknown_variable": (
        "unknown variable {{{name}}}",
        "未知的变量 {{{name}}}：既不是软件填写的变量，也没有在 pack.toml 的 [variables] 中定义",
    ),
    # reminder rules
    "unknown_outcome": (
        "unknown outcome '{outcome}' (use one of: {allowed})",
        "未知的处理结果「{outcome}」（可用：{allowed}）",
    ),
    # phrases
    "duplicate_phrase": ("duplicate phrase '{phrase}'", "短语「{phrase}」重复"),
    "invalid_pattern": ("invalid pattern: {detail}", "规则写法有误：{detail_zh}"),
    "phrase_not_matched": (
        "'{phrase}' is not matched by its own pattern",
        "短语「{phrase}」与它自己的 pattern 不匹配",
    ),
    "exception_never_applies": (
        "'{source}' does not contain the phrase, so it never applies",
        "例外「{source}」不包含这个短语，永远不会起作用",
    ),
    # intent keywords
    "expected_weights": (
        'expected a table of "word" = weight',
        '应为「"关键词" = 权重」形式的表',
    ),
    "empty_word": ("word must not be empty", "关键词不能为空"),
    "weight_not_positive": ("weight must be a positive number", "权重必须是正数"),
}

# What `unknown_choice` names, in Chinese.
CHOICE_NAMES: dict[str, str] = {
    "purpose": "用途",
    "method": "话术方法",
    "reminder kind": "提醒类型",
}


def say(code: str, /, **params: object) -> Said:
    """The reason `code` with `params` filled into both languages."""
    en, zh = REASONS[code]
    return Said(code, en.format(**params), zh.format(**params))
