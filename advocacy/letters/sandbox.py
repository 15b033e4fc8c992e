"""The sandbox that user-written letter templates run in, and the checks made when a template is saved.

Templates use Jinja syntax in Jinja's `ImmutableSandboxedEnvironment` with autoescaping and `StrictUndefined` (an
unknown field is an error, not an empty string): no attributes starting with "_", no unsafe methods, and no method
that changes a list, dict or set (`append`, `update`, `pop`...). The data a template sees is also a read-only copy
(`freeze`: mappings become `MappingProxyType`, lists tuples), made afresh for each letter, so a template can never
change the evidence the app's own layout prints, nor what the next letter of a batch sees.

On top of that: only an allow-list of filters, `range()` capped, `str.encode` refused (no letter needs bytes), a
template nested more than MAX_NESTING levels deep refused before it is compiled, and every operation that can build
a large value from a small template checked *before* it runs: `*`, `**`, `+`, `%`, `~`, the padding and replacing
string methods, `str.format`, `join` and the `join`/`replace` filters (see `LetterSandbox`). The output of one
template is capped in size too. Time and memory are limited by the worker process that renders (advocacy.jobs:
a time limit per letter, a hard limit on checks and previews, and an address-space cap on every job worker).
The Markdown body is converted with raw HTML, links and images switched off, and the result passes an allow-list
HTML sanitiser: users cannot inject CSS, scripts or resource URLs.
"""

from __future__ import annotations

import html
import re
import string
import sys
from collections import OrderedDict
from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from types import MappingProxyType
from typing import Any

import markdown
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import do_replace, sync_do_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError, _mutable_spec

from advocacy.jobs import JobTimeout

MAX_RANGE = 10_000
MAX_SEQUENCE = 100_000  # longest string or list that `*` may build
MAX_EXPONENT = 64
MAX_OUTPUT_CHARS = 200_000  # per rendered field
MAX_TEXT = MAX_OUTPUT_CHARS  # longest string or list that any operation (`+`, `~`, `%`, methods, filters) may build
MAX_INT_BITS = 16_384  # largest integer `*` may build (about 5,000 digits)
MAX_NESTING = 40  # deepest nesting of tags and expressions (Python's compiler gives up near 20 nested blocks)
_SIZED = (str, bytes, bytearray, list, tuple)
# Method names that change a container in place (Jinja's own list): refused on the read-only data with a message.
_MUTATING_METHODS = frozenset().union(*(names for _type, names in _mutable_spec))

ALLOWED_FILTERS = [
    "abs",
    "capitalize",
    "count",
    "d",
    "default",
    "e",
    "escape",
    "first",
    "float",
    "groupby",
    "int",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "select",
    "selectattr",
    "slice",
    "sort",
    "string",
    "sum",
    "title",
    "trim",
    "truncate",
    "unique",
    "upper",
    "wordcount",
]  # noqa: SIM905 - easier to read as words


class TemplateProblem(Exception):
    """A template that cannot be rendered: `field`, `line` (1-based, when known) and a readable message."""

    def __init__(self, message: str, *, field: str = "body", line: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.line = line

    def __str__(self) -> str:
        where = f"{self.field}, line {self.line}" if self.line else self.field
        return f"{where}: {self.message}"


def _capped_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise SecurityError(f"range() is limited to {MAX_RANGE:,} items in letter templates")
    return result


def _thousands(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def _too_big(what: str) -> SecurityError:
    return SecurityError(f"{what} is limited to {MAX_TEXT:,} characters in letter templates")


def _weight(value: Any, budget: int = MAX_TEXT) -> int:
    """A cheap upper estimate of how long `value` is as text, counting nested lists; stops once over `budget`.

    Strings count their length, containers their items plus their contents (so a list holding the same long string
    many times weighs what its text would), anything else a small constant.
    """
    if isinstance(value, str | bytes | bytearray):
        return len(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() // 3 + 1
    if isinstance(value, Mapping):
        value = [*value.keys(), *value.values()]
    if not isinstance(value, list | tuple):
        return 8
    total = len(value)
    for item in value:
        if total > budget:
            break
        total += _weight(item, budget - total)
    return total


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")
_FORMAT_NUMBERS = re.compile(r"\d+")


def _check_percent(template: str, args: Any) -> None:
    """Refuse `template % args` if a width or precision, or the result, would exceed MAX_TEXT."""
    conversions = 0
    for match in _PERCENT_SPEC.finditer(template):
        if match.group(3) == "%":
            continue
        conversions += 1
        for number in match.group(1, 2):
            if number == "*":
                raise SecurityError("'*' widths are not allowed in letter templates")
            if number and int(number) > MAX_TEXT:
                raise _too_big("a width or precision")
    values = list(args.values()) if isinstance(args, dict) else list(args) if isinstance(args, tuple) else [args]
    largest = max((_weight(v) for v in values), default=0)
    if len(template) + conversions * largest > MAX_TEXT:
        raise _too_big("formatted text")


def _check_format(template: str, args: tuple, kwargs: dict) -> None:
    """Refuse `template.format(...)` if a width or precision (even a nested one), or the result, exceeds MAX_TEXT."""
    fields = 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return  # str.format raises the same error without allocating anything
    for _literal, name, spec, _conversion in parsed:
        if name is None:
            continue
        fields += 1
        if spec and "{" in spec:
            raise SecurityError("nested format specifications are not allowed in letter templates")
        if spec and any(int(n) > MAX_TEXT for n in _FORMAT_NUMBERS.findall(spec)):
            raise _too_big("a width or precision")
    largest = max((_weight(v) for v in (*args, *kwargs.values())), default=0)
    if len(template) + fields * largest > MAX_TEXT:
        raise _too_big("formatted text")


def _replaced_length(text: str, old: str, new: str, count: int = -1) -> int:
    """The length of `text.replace(old, new, count)`, computed without building it."""
    occurrences = len(text) + 1 if old == "" else text.count(old)
    if count is not None and count >= 0:
        occurrences = min(occurrences, count)
    return len(text) + occurrences * (len(new) - len(old))


def _check_join(separator: Text, items: list) -> None:
    weight = _weight(items) + len(separator) * max(len(items) - 1, 0)
    if weight > MAX_TEXT:
        raise _too_big("joined text")


def _capped_join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
    """The `join` filter, refusing a result longer than MAX_TEXT before building it."""
    items = list(value)
    _check_join(str(d), items)
    return sync_do_join(eval_ctx, items, d, attribute)


def _capped_replace(eval_ctx: Any, s: str, old: str, new: str, count: int | None = None) -> str:
    """The `replace` filter, refusing a result longer than MAX_TEXT before building it."""
    if _replaced_length(str(s), str(old), str(new), -1 if count is None else count) > MAX_TEXT:
        raise _too_big("replaced text")
    return do_replace(eval_ctx, s, old, new, count)


# Jinja reads the filter's pass-arg marker from a function attribute it sets itself (pass_eval_context).
_capped_join.jinja_pass_arg = sync_do_join.jinja_pass_arg  # type: ignore[attr-defined]  # Jinja's marker
_capped_replace.jinja_pass_arg = do_replace.jinja_pass_arg  # type: ignore[attr-defined]  # Jinja's marker

_PADDING_METHODS = {"ljust", "rjust", "center", "zfill"}
Text = str | bytes | bytearray


def _check_padding(text: Text, name: str, args: tuple, kwargs: dict) -> None:
    width = args[0] if args else kwargs.get("width", 0)
    if isinstance(width, int) and width > MAX_TEXT:
        raise _too_big(f"{name}()")


def _check_expandtabs(text: Text, name: str, args: tuple, kwargs: dict) -> None:
    tabsize = args[0] if args else kwargs.get("tabsize", 8)
    tabs = text.count("\t") if isinstance(text, str) else text.count(b"\t")
    if isinstance(tabsize, int) and len(text) + tabs * max(tabsize, 0) > MAX_TEXT:
        raise _too_big("expandtabs()")


def _check_replace(text: Text, name: str, args: tuple, kwargs: dict) -> None:
    if isinstance(text, str) and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        count = args[2] if len(args) > 2 else kwargs.get("count", -1)
        if _replaced_length(text, args[0], args[1], count if isinstance(count, int) else -1) > MAX_TEXT:
            raise _too_big("replaced text")


def _check_format_call(text: Text, name: str, args: tuple, kwargs: dict) -> None:
    if not isinstance(text, str):
        return
    if name == "format_map":
        mapping = args[0] if args else {}
        _check_format(text, (), dict(mapping) if isinstance(mapping, dict) else {})
    else:
        _check_format(text, args, kwargs)


# The str methods whose result can be much longer than the text they are called on, each with its check.
_STR_METHOD_CHECKS: dict[str, Callable[[Text, str, tuple, dict], None]] = {
    **dict.fromkeys(_PADDING_METHODS, _check_padding),
    "expandtabs": _check_expandtabs,
    "replace": _check_replace,
    "format": _check_format_call,
    "format_map": _check_format_call,
}


def _check_str_method(text: Text, name: str, args: tuple, kwargs: dict) -> None:
    """Refuse a call of a str method whose result would be longer than MAX_TEXT (checked before calling it).

    (Bytes reach this only in theory: the sandbox refuses every attribute of bytes.)"""
    check = _STR_METHOD_CHECKS.get(name)
    if check is not None:
        check(text, name, args, kwargs)


class _LetterCodeGenerator(CodeGenerator):
    """Compiles `a ~ b` into a call of `LetterSandbox.call_concat`, so that joining text is checked too."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # the same choice of join function as CodeGenerator.visit_Concat
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.call_concat({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


# Records inside lists (the endorsing cities) are the batch's shared data, the same objects in every letter: they are
# frozen once per process. The originals are kept (so that their ids cannot be reused); nothing changes them.
_RECORDS: dict[int, tuple[Any, Any]] = {}
_MAX_RECORDS = 100_000


def freeze(value: Any, _seen: dict[int, Any] | None = None, _in_sequence: bool = False) -> Any:
    """A read-only deep copy of plain data: mappings become MappingProxyType, lists and tuples tuples, sets frozensets.

    Shared items (a city that is in `cities` and in `by_state`) are frozen once and stay shared.
    """
    seen = {} if _seen is None else _seen
    key = id(value)
    if key in seen:
        return seen[key]
    if isinstance(value, Mapping):
        known = _RECORDS.get(key) if _in_sequence else None
        if known is not None and known[0] is value:
            result: Any = known[1]
        else:
            result = MappingProxyType({k: freeze(v, seen) for k, v in value.items()})
            if _in_sequence:
                if len(_RECORDS) >= _MAX_RECORDS:
                    _RECORDS.clear()
                _RECORDS[key] = (value, result)
    elif isinstance(value, list | tuple):
        result = tuple(freeze(item, seen, True) for item in value)
    elif isinstance(value, set | frozenset):
        result = frozenset(freeze(item, seen) for item in value)
    elif isinstance(value, bytearray):
        result = bytes(value)
    else:
        return value
    seen[key] = result
    return result


def _nesting(node: nodes.Node) -> int:
    """How deeply the parsed template nests (tags and expressions), walked without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break
        stack.extend((child, depth + 1) for child in current.iter_child_nodes())
    return deepest


def _check_power(left: Any, right: Any) -> None:
    huge_base = isinstance(left, int) and left.bit_length() > 256
    if (isinstance(right, int | float) and abs(right) > MAX_EXPONENT) or huge_base:
        raise SecurityError(f"exponents above {MAX_EXPONENT} are not allowed in letter templates")


def _check_plus(left: Any, right: Any) -> None:
    sequences = isinstance(left, _SIZED) and isinstance(right, _SIZED)
    if sequences and _weight(left) + _weight(right) > MAX_TEXT:
        raise _too_big("joining text")


def _check_modulo(left: Any, right: Any) -> None:
    if isinstance(left, str):
        _check_percent(left, right)


def _check_times(left: Any, right: Any) -> None:
    sized = left if isinstance(left, _SIZED) else right
    count = right if sized is left else left
    if isinstance(sized, _SIZED) and isinstance(count, int):
        # lists count their contents too: ["x" * 100000] * 100000 would print as 10 GB of text
        if len(sized) * count > MAX_SEQUENCE or _weight(sized) * count > MAX_TEXT:
            raise SecurityError(f"repeating text is limited to {MAX_SEQUENCE:,} characters in letter templates")
    elif isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise SecurityError("numbers that large are not allowed in letter templates")


# The binary operators the sandbox intercepts (LetterSandbox.intercepted_binops), each with its check.
_BINOP_CHECKS: dict[str, Callable[[Any, Any], None]] = {
    "**": _check_power,
    "+": _check_plus,
    "%": _check_modulo,
    "*": _check_times,
}


class LetterSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with fewer filters and caps on the operations that can exhaust memory.

    Every operation that can build a value much larger than the template itself is checked before it runs, so a
    template cannot allocate more than about MAX_TEXT characters at a time (doubling a string in a loop stops at
    the cap too, because `+`, `~` and `%` are checked).
    """

    intercepted_binops = frozenset(_BINOP_CHECKS)
    code_generator_class = _LetterCodeGenerator

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False)
        self.filters = {name: self.filters[name] for name in ALLOWED_FILTERS}
        self.filters["thousands"] = _thousands
        self.filters["join"] = _capped_join
        self.filters["replace"] = _capped_replace
        self.globals = {"range": _capped_range, "dict": dict, "namespace": self.globals["namespace"]}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Jinja's rules, and no bytes: `str.encode` (and anything on bytes) is refused."""
        if isinstance(obj, bytes | bytearray) or (isinstance(obj, str) and attr == "encode"):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Asking the read-only data for a changing method (`cities.append`) says it is not allowed."""
        if attribute in _MUTATING_METHODS and isinstance(obj, MappingProxyType | tuple | frozenset):
            return self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """`*`, `**`, `+` and `%`, each refused before it runs if the result would be too large."""
        _BINOP_CHECKS[operator](left, right)
        return super().call_binop(context, operator, left, right)

    def call_concat(self, join: Callable[[tuple], str], values: tuple) -> str:
        """`a ~ b ~ ...`: the text of the values joined, refused before it is built if longer than MAX_TEXT."""
        if sum(_weight(v) for v in values) > MAX_TEXT:
            raise _too_big("joining text")
        return join(values)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - as in Jinja
        """Call an object from sandboxed code; str methods that can build huge text are checked first."""
        target = getattr(__obj, "__wrapped__", __obj)  # str.format arrives wrapped by Jinja's SandboxedFormatter
        owner = getattr(target, "__self__", None)
        if isinstance(owner, str | bytes | bytearray):
            _check_str_method(owner, getattr(target, "__name__", ""), args, kwargs)
            if getattr(target, "__name__", "") == "join" and args:
                items = list(args[0])
                _check_join(owner, items)
                args = (items, *args[1:])
        return super().call(__context, __obj, *args, **kwargs)


_ENV: LetterSandbox | None = None


def sandbox() -> LetterSandbox:
    """The process-wide sandbox (compiled templates are cached in it)."""
    global _ENV
    if _ENV is None:
        _ENV = LetterSandbox()
    return _ENV


_NO_ATTRIBUTE = re.compile(r"'[^']*' has no attribute '([^']+)'")
_UNDEFINED = re.compile(r"'([^']+)' is undefined")
_UNSAFE_ATTRIBUTE = re.compile(r"access to attribute '([^']+)' of '[^']+' object is unsafe")


def _template_line(tb: Any) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _friendly(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, UndefinedError):
        match = _NO_ATTRIBUTE.search(text)
        if match:
            return f"unknown field '{match.group(1)}'"
        match = _UNDEFINED.search(text)
        if match:
            return f"unknown field '{match.group(1)}'"
        return f"unknown field ({text})"
    if isinstance(exc, SecurityError):
        match = _UNSAFE_ATTRIBUTE.search(text)
        if match and match.group(1) in _MUTATING_METHODS:
            return f"not allowed: templates cannot change the letter's data or lists ('{match.group(1)}')"
        return f"not allowed: {text}"
    if isinstance(exc, OverflowError | MemoryError):
        return "the template tried to produce too much text"
    if isinstance(exc, RecursionError):
        return "the template is too deeply nested or recursive"
    return f"{type(exc).__name__}: {text}"


_TOO_COMPLEX = (
    f"the template is too deeply nested or too complex (at most {MAX_NESTING} levels of tags, brackets and filters "
    "inside one another): split it up"
)


_TEXT_ENV: LetterSandbox | None = None


def text_sandbox() -> LetterSandbox:
    """The same sandbox without HTML autoescaping, for plain-text output (the e-mails that carry letters)."""
    global _TEXT_ENV
    if _TEXT_ENV is None:
        _TEXT_ENV = sandbox().overlay(autoescape=False)
    return _TEXT_ENV


# Compiled fields by (source, autoescape): every letter of a batch renders the same four fields, and compiling
# them (parse, nesting check, code generation) cost more than rendering them. Only successes are kept.
_COMPILED: OrderedDict[tuple[str, bool], Any] = OrderedDict()
_COMPILED_MAX = 64


def compile_field(source: str, *, field: str = "body", autoescape: bool = True) -> Any:
    """Parse and compile one template field; TemplateProblem for a syntax error or a template too deep to compile.

    `autoescape=False` compiles for plain text (an e-mail), with the same fields, filters and limits. Compiled
    fields are kept per process (a Jinja template holds no state between renders).
    """
    key = (source, autoescape)
    template = _COMPILED.get(key)
    if template is None:
        template = _compile(source, field, autoescape)
        _COMPILED[key] = template
        if len(_COMPILED) > _COMPILED_MAX:
            _COMPILED.popitem(last=False)
    return template


def _compile(source: str, field: str, autoescape: bool) -> Any:
    env = sandbox() if autoescape else text_sandbox()
    try:
        parsed = env.parse(source)
        if _nesting(parsed) > MAX_NESTING:
            raise TemplateProblem(_TOO_COMPLEX, field=field)
        return env.from_string(parsed)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(exc.message or "syntax error", field=field, line=exc.lineno) from None
    except (RecursionError, MemoryError, SyntaxError, OverflowError, ValueError):
        # Python's parser and compiler have their own limits (nested blocks, brackets, recursion)
        raise TemplateProblem(_TOO_COMPLEX, field=field) from None


_last_frozen: tuple[Any, Any] = (None, None)


def _frozen(context: Mapping) -> Any:
    """The read-only copy of `context`, made once per letter (the fields of one letter share one context)."""
    global _last_frozen
    if isinstance(context, MappingProxyType):
        return context
    if _last_frozen[0] is not context:
        _last_frozen = (context, freeze(context))
    return _last_frozen[1]


def render_field(
    source: str, context: Mapping, *, field: str = "body", max_chars: int = MAX_OUTPUT_CHARS, autoescape: bool = True
) -> str:
    """Render one template field in the sandbox, on a read-only copy of `context`; TemplateProblem on any error.

    `autoescape=False` renders plain text (an e-mail).
    """
    template = compile_field(source, field=field, autoescape=autoescape)
    context = _frozen(context)
    parts: list[str] = []
    size = 0
    try:
        for chunk in template.generate(context):
            size += len(chunk)
            if size > max_chars:
                raise TemplateProblem(
                    f"the text is longer than {max_chars:,} characters (a loop that never ends?)", field=field
                )
            parts.append(chunk)
    except TemplateProblem:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of user code becomes a readable problem
        if isinstance(exc, JobTimeout):
            raise
        raise TemplateProblem(_friendly(exc), field=field, line=_template_line(sys.exc_info()[2])) from None
    return "".join(parts)


# --- Markdown and sanitising ----------------------------------------------------------------------------------

_MD_DISABLED_INLINE = (
    "html",
    "link",
    "image_link",
    "image_reference",
    "short_image_ref",
    "reference",
    "short_reference",
    "autolink",
    "automail",
)


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=[], output_format="html")
    md.preprocessors.deregister("html_block")
    for name in _MD_DISABLED_INLINE:
        if name in md.inlinePatterns:
            md.inlinePatterns.deregister(name)
    if "reference" in md.parser.blockprocessors:
        md.parser.blockprocessors.deregister("reference")
    return md


ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "h3", "h4", "hr", "code", "pre"}
HEADING_MAP = {"h1": "h3", "h2": "h3", "h5": "h4", "h6": "h4"}
VOID_TAGS = {"br", "hr"}
DROP_CONTENT = {"script", "style", "title", "head", "svg", "math", "iframe", "object", "template", "textarea"}


class _Sanitiser(HTMLParser):
    """Keeps allowed tags without any attribute; drops other tags (and the content of script-like ones)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        tag = HEADING_MAP.get(tag, tag)
        if tag in DROP_CONTENT:
            self.skip += 1
        elif not self.skip and tag in ALLOWED_TAGS:
            self.out.append(f"<{tag}>")
            if tag not in VOID_TAGS:
                self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        tag = HEADING_MAP.get(tag, tag)
        if not self.skip and tag in VOID_TAGS:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        tag = HEADING_MAP.get(tag, tag)
        if tag in DROP_CONTENT:
            self.skip = max(0, self.skip - 1)
        elif not self.skip and tag in self.open:
            while self.open:
                last = self.open.pop()
                self.out.append(f"</{last}>")
                if last == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{t}>" for t in reversed(self.open))


def sanitise_html(fragment: str) -> str:
    """Allow-list sanitiser: only basic text tags, no attributes, no scripts, styles or URLs."""
    parser = _Sanitiser()
    parser.feed(fragment)
    return parser.result()


def body_to_html(text: str, body_format: str) -> str:
    """Turn the rendered body (Markdown or plain paragraphs) into sanitised HTML."""
    if body_format == "markdown":
        converted = _markdown().convert(text)
    else:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        converted = "".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs)
    return sanitise_html(converted)


def text_to_html(text: str) -> str:
    """A short rendered field (RE line, closing, signature) as sanitised text with line breaks kept."""
    lines = [sanitise_html(line) for line in text.strip().splitlines()]
    return "<br>".join(lines)
