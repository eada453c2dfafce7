"""Shader source utilities: a small MSL preprocessor, templates and kernel scaffolding.

Pure Python, no Metal calls. Everything here produces MSL source text that is then
handed to ``Device.new_library_with_source``.

- :class:`ShaderPreprocessor` resolves ``#include``, applies ``#define`` substitutions and
  evaluates ``#ifdef``/``#ifndef``/``#else``/``#endif`` blocks before compilation.
- :class:`ShaderTemplate` fills ``str.format`` placeholders (``{name}``; literal braces are
  written ``{{`` / ``}}``) with defaults.
- :func:`compute_shader_hash` gives a stable SHA-256 of a source string.
- :func:`create_compute_kernel` writes the boilerplate of a one-dimensional compute kernel.
- :data:`COMMON_SNIPPETS` holds reusable fragments.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

__all__ = [
    "ShaderPreprocessor",
    "ShaderTemplate",
    "compute_shader_hash",
    "create_compute_kernel",
    "COMMON_SNIPPETS",
    "IncludeCycleError",
]

PathLike = Union[str, "os.PathLike[str]"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIRECTIVE = re.compile(r"^\s*#\s*([A-Za-z_]+)\b(.*)$", re.S)
_INCLUDE = re.compile(r'^\s*(?:"([^"]+)"|<([^>]+)>)\s*(?://.*|/\*.*)?$')
_DEFINED = re.compile(r"\bdefined\s*(?:\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)|([A-Za-z_][A-Za-z0-9_]*))")

# Maximum include depth; deeper nesting almost certainly means a cycle the guards missed.
_MAX_INCLUDE_DEPTH = 64


class IncludeCycleError(RecursionError):
    """An ``#include`` chain that includes a file that is already being included."""


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _IDENT.match(name):
        raise ValueError(f"invalid macro name: {name!r}")
    return name


def _logical_lines(text: str) -> List[str]:
    """Split into lines, joining preprocessor lines continued with a trailing backslash."""
    physical = text.split("\n")
    out: List[str] = []
    i = 0
    while i < len(physical):
        line = physical[i]
        if line.lstrip().startswith("#"):
            while line.endswith("\\") and i + 1 < len(physical):
                i += 1
                line = line + "\n" + physical[i]
        out.append(line)
        i += 1
    return out


class _Context:
    """State of one ``process`` call."""

    def __init__(self, defines: Mapping[str, str]):
        self.defines: Dict[str, str] = dict(defines)
        self.stack: List[Path] = []
        self.once: set = set()


class ShaderPreprocessor:
    """A small C-style preprocessor for MSL sources.

    Methods that configure the preprocessor return ``self`` so calls can be chained::

        pp = ShaderPreprocessor(["shaders/include"]).define("TILE", 16).define("USE_FMA")
        source = pp.process(text, source_file="shaders/matmul.metal")

    ``process`` runs, in this order: conditional blocks (``#ifdef``/``#ifndef``/``#else``/
    ``#endif``, nested), ``#include`` resolution (``"x"`` and ``<x>``, searched in the source
    file's directory and the include paths; an unresolved ``<x>`` such as ``<metal_stdlib>`` is
    left for the compiler, an unresolved ``"x"`` raises ``FileNotFoundError``), and textual
    whole-word substitution of ``#define NAME value`` macros (those given with
    :meth:`define` and the object-like ``#define`` lines of the source) and of registered
    macro functions ``NAME(args)``.
    """

    def __init__(self, include_paths: Optional[Iterable[PathLike]] = None):
        if isinstance(include_paths, (str, os.PathLike)):
            include_paths = [include_paths]
        self.include_paths: List[Path] = [Path(p) for p in (include_paths or [])]
        self.defines: Dict[str, str] = {}
        self.macro_functions: Dict[str, Callable[..., object]] = {}
        self._cache: Dict[Path, Tuple[float, int, str]] = {}

    # ------------------------------------------------------------------ configuration
    def add_include_path(self, path: PathLike) -> "ShaderPreprocessor":
        p = Path(path)
        if p not in self.include_paths:
            self.include_paths.append(p)
        return self

    def define(self, name: str, value: object = "1") -> "ShaderPreprocessor":
        _check_name(name)
        if isinstance(value, bool):
            value = "true" if value else "false"
        self.defines[name] = str(value)
        return self

    def define_many(self, defines: Mapping[str, object]) -> "ShaderPreprocessor":
        for name, value in dict(defines).items():
            self.define(name, value)
        return self

    def undefine(self, name: str) -> "ShaderPreprocessor":
        self.defines.pop(name, None)
        return self

    def register_macro_function(self, name: str, func: Callable[..., object]) -> "ShaderPreprocessor":
        _check_name(name)
        if not callable(func):
            raise TypeError(f"macro function {name!r} must be callable")
        self.macro_functions[name] = func
        return self

    def clear_cache(self) -> "ShaderPreprocessor":
        self._cache.clear()
        return self

    # ------------------------------------------------------------------ processing
    def process(
        self,
        source: str,
        source_file: Optional[PathLike] = None,
        process_includes: bool = True,
        process_defines: bool = True,
        process_conditionals: bool = True,
    ) -> str:
        if isinstance(source, bytes):
            source = source.decode("utf-8")
        if not isinstance(source, str):
            raise TypeError(f"source must be str, not {type(source).__name__}")
        ctx = _Context(self.defines)
        path = Path(source_file).resolve() if source_file is not None else None
        if path is not None:
            ctx.stack.append(path)
        lines = self._expand(source, path, ctx, process_includes, process_conditionals)
        if not process_conditionals:
            # Still learn the object-like macros of the source for the substitution pass.
            for line in lines:
                self._learn_define(line, ctx.defines)
        text = "\n".join(lines)
        if process_defines:
            text = self._substitute(text, ctx.defines)
        return text

    def process_file(self, path: PathLike, **kwargs) -> str:
        p = Path(path)
        try:
            source = self._read(p.resolve())
        except FileNotFoundError:
            raise FileNotFoundError(f"shader file not found: {path}") from None
        return self.process(source, source_file=p, **kwargs)

    # ------------------------------------------------------------------ internals
    def _read(self, path: Path) -> str:
        st = path.stat()
        hit = self._cache.get(path)
        if hit is not None and hit[0] == st.st_mtime and hit[1] == st.st_size:
            return hit[2]
        text = path.read_text(encoding="utf-8")
        self._cache[path] = (st.st_mtime, st.st_size, text)
        return text

    def _resolve(self, name: str, angled: bool, current: Optional[Path]) -> Optional[Path]:
        candidates: List[Path] = []
        here = current.parent if current is not None else Path.cwd()
        if Path(name).is_absolute():
            candidates.append(Path(name))
        elif angled:
            candidates += [p / name for p in self.include_paths]
            candidates.append(here / name)
        else:
            candidates.append(here / name)
            candidates += [p / name for p in self.include_paths]
        for c in candidates:
            if c.is_file():
                return c.resolve()
        return None

    @staticmethod
    def _learn_define(line: str, defines: Dict[str, str]) -> None:
        m = _DIRECTIVE.match(line)
        if not m:
            return
        kind, rest = m.group(1), m.group(2)
        if kind == "define":
            dm = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)(\(?)(.*)$", rest, re.S)
            if dm and not dm.group(2):  # object-like only; function-like macros stay for the compiler
                value = re.sub(r"\\\n", " ", dm.group(3)).strip()
                value = re.sub(r"\s*//.*$", "", value)
                defines[dm.group(1)] = value
        elif kind == "undef":
            name = rest.strip().split()[0] if rest.strip() else ""
            defines.pop(name, None)

    def _expand(
        self,
        source: str,
        path: Optional[Path],
        ctx: _Context,
        includes: bool,
        conditionals: bool,
    ) -> List[str]:
        out: List[str] = []
        # Each frame: [parent_active, this_branch_active, seen_else, passthrough]
        stack: List[List[bool]] = []
        active = True
        for line in _logical_lines(source):
            m = _DIRECTIVE.match(line)
            kind = m.group(1) if m else None
            arg = m.group(2) if m else ""
            if conditionals and kind in ("ifdef", "ifndef"):
                name = arg.strip().split()[0] if arg.strip() else ""
                if not name:
                    raise SyntaxError(f"#{kind} without a macro name{self._where(path)}")
                cond = (name in ctx.defines) == (kind == "ifdef")
                stack.append([active, cond, False, False])
                active = active and cond
                continue
            if conditionals and kind in ("if", "elif", "else", "endif") and (
                kind == "if" or (stack and stack[-1][3])
            ):
                # #if/#elif expressions are left for the compiler; keep the block verbatim.
                if kind == "if":
                    stack.append([active, True, False, True])
                elif kind == "endif":
                    stack.pop()
                if active:
                    out.append(line)
                continue
            if conditionals and kind == "elif":
                raise SyntaxError(f"#elif after #ifdef/#ifndef is not supported{self._where(path)}")
            if conditionals and kind == "else":
                if not stack:
                    raise SyntaxError(f"#else without #ifdef/#ifndef{self._where(path)}")
                frame = stack[-1]
                if frame[2]:
                    raise SyntaxError(f"duplicate #else{self._where(path)}")
                frame[2] = True
                active = frame[0] and not frame[1]
                continue
            if conditionals and kind == "endif":
                if not stack:
                    raise SyntaxError(f"#endif without #ifdef/#ifndef{self._where(path)}")
                active = stack.pop()[0]
                continue
            if not active:
                continue
            if conditionals and kind in ("define", "undef"):
                self._learn_define(line, ctx.defines)
            if kind == "pragma" and arg.strip() == "once" and path is not None:
                ctx.once.add(path)
                continue
            if includes and kind == "include":
                out.extend(self._include(arg, line, path, ctx, includes, conditionals))
                continue
            out.append(line)
        if conditionals and stack:
            raise SyntaxError(f"unterminated #ifdef/#ifndef{self._where(path)}")
        return out

    def _include(
        self,
        spec: str,
        line: str,
        path: Optional[Path],
        ctx: _Context,
        includes: bool,
        conditionals: bool,
    ) -> List[str]:
        im = _INCLUDE.match(spec.strip())
        if not im:
            raise SyntaxError(f"malformed #include: {line.strip()}{self._where(path)}")
        name = im.group(1) if im.group(1) is not None else im.group(2)
        angled = im.group(1) is None
        target = self._resolve(name, angled, path)
        if target is None:
            if angled:
                return [line]  # a system header such as <metal_stdlib>: the compiler provides it
            searched = [str((path.parent if path else Path.cwd()))] + [str(p) for p in self.include_paths]
            raise FileNotFoundError(
                f"include file not found: \"{name}\"{self._where(path)} (searched: {', '.join(searched)})"
            )
        if target in ctx.once:
            return []
        if target in ctx.stack:
            chain = " -> ".join(p.name for p in ctx.stack[ctx.stack.index(target):] + [target])
            raise IncludeCycleError(f"include cycle detected: {chain}")
        if len(ctx.stack) >= _MAX_INCLUDE_DEPTH:
            raise IncludeCycleError(f"#include nested too deeply (> {_MAX_INCLUDE_DEPTH}) at {name}")
        ctx.stack.append(target)
        try:
            return self._expand(self._read(target), target, ctx, includes, conditionals)
        finally:
            ctx.stack.pop()

    @staticmethod
    def _where(path: Optional[Path]) -> str:
        return f" in {path}" if path is not None else ""

    def _substitute(self, text: str, defines: Dict[str, str]) -> str:
        if not defines and not self.macro_functions:
            return text
        out_lines = []
        for line in _logical_lines(text):
            m = _DIRECTIVE.match(line)
            if m is None:
                out_lines.append(self._expand_text(line, defines, frozenset()))
                continue
            kind = m.group(1)
            if kind == "define":
                dm = re.match(r"(\s*#\s*define\s+[A-Za-z_][A-Za-z0-9_]*(?:\([^)]*\))?)(.*)$", line, re.S)
                if dm:
                    out_lines.append(dm.group(1) + self._expand_text(dm.group(2), defines, frozenset()))
                else:
                    out_lines.append(line)
            elif kind in ("if", "elif"):
                # Protect the operands of defined(...)
                protected: Dict[str, str] = {}

                def keep(mm: "re.Match[str]") -> str:
                    if (mm.group(1) or mm.group(2)) in defines:
                        return "1"
                    key = f"\x00{len(protected)}\x00"
                    protected[key] = mm.group(0)
                    return key

                body = _DEFINED.sub(keep, line)
                body = self._expand_text(body, defines, frozenset())
                for key, val in protected.items():
                    body = body.replace(key, val)
                out_lines.append(body)
            else:
                out_lines.append(line)
        return "\n".join(out_lines)

    def _expand_text(self, text: str, defines: Mapping[str, str], expanding: frozenset) -> str:
        result: List[str] = []
        pos = 0
        n = len(text)
        while pos < n:
            m = _WORD.search(text, pos)
            if m is None:
                result.append(text[pos:])
                break
            start, end = m.span()
            # Skip words that are part of a number (1e5f, 0x1F) or preceded by an identifier char.
            if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_."):
                result.append(text[pos:end])
                pos = end
                continue
            word = m.group(0)
            result.append(text[pos:start])
            if word in self.macro_functions and word not in expanding:
                call = self._parse_call(text, end)
                if call is not None:
                    args, call_end = call
                    args = [self._expand_text(a, defines, expanding) for a in args]
                    value = str(self.macro_functions[word](*args))
                    result.append(self._expand_text(value, defines, expanding | {word}))
                    pos = call_end
                    continue
            if word in defines and word not in expanding:
                result.append(self._expand_text(defines[word], defines, expanding | {word}))
            else:
                result.append(word)
            pos = end
        return "".join(result)

    @staticmethod
    def _parse_call(text: str, pos: int) -> Optional[Tuple[List[str], int]]:
        i = pos
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text) or text[i] != "(":
            return None
        depth = 0
        args: List[str] = []
        cur: List[str] = []
        j = i
        while j < len(text):
            c = text[j]
            if c in "([{":
                depth += 1
                if depth > 1:
                    cur.append(c)
            elif c in ")]}":
                depth -= 1
                if depth == 0:
                    arg = "".join(cur).strip()
                    if arg or args:
                        args.append(arg)
                    return args, j + 1
                cur.append(c)
            elif c == "," and depth == 1:
                args.append("".join(cur).strip())
                cur = []
            else:
                cur.append(c)
            j += 1
        return None  # unbalanced: leave the text alone


class ShaderTemplate:
    """MSL source with ``str.format`` placeholders.

    Literal braces in the MSL must be doubled (``{{`` and ``}}``), as with ``str.format``::

        t = ShaderTemplate("kernel void k(device {T}* a [[buffer(0)]]) {{ a[0] = {V}; }}")
        t.set_default("T", "float")
        src = t.render(V="1.0f")
    """

    def __init__(self, template: str):
        if not isinstance(template, str):
            raise TypeError(f"template must be str, not {type(template).__name__}")
        self.template = template
        self.defaults: Dict[str, object] = {}

    def set_default(self, name: str, value: object) -> "ShaderTemplate":
        self.defaults[name] = value
        return self

    def set_defaults(self, defaults: Mapping[str, object]) -> "ShaderTemplate":
        self.defaults.update(dict(defaults))
        return self

    def render(self, **kwargs) -> str:
        values = dict(self.defaults)
        values.update(kwargs)
        try:
            return self.template.format(**values)
        except KeyError as e:
            raise KeyError(f"missing template parameter {e.args[0]!r}") from None
        except (IndexError, ValueError) as e:
            raise ValueError(
                f"invalid shader template ({e}); write literal braces as '{{{{' and '}}}}'"
            ) from None

    def render_with_preprocessor(self, preprocessor: ShaderPreprocessor, **kwargs) -> str:
        return preprocessor.process(self.render(**kwargs))


def compute_shader_hash(source: Union[str, bytes]) -> str:
    """SHA-256 of the source (UTF-8), as 64 lowercase hex digits."""
    if isinstance(source, str):
        source = source.encode("utf-8")
    return hashlib.sha256(bytes(source)).hexdigest()


COMMON_SNIPPETS: Dict[str, str] = {
    "metal_stdlib": "#include <metal_stdlib>\nusing namespace metal;\n",
    "float_constants": (
        "constant float PI = 3.14159265358979323846f;\n"
        "constant float TWO_PI = 6.28318530717958647692f;\n"
        "constant float HALF_PI = 1.57079632679489661923f;\n"
        "constant float E = 2.71828182845904523536f;\n"
        "constant float SQRT2 = 1.41421356237309504880f;\n"
        "constant float EPSILON = 1.1920928955078125e-07f;\n"
    ),
    "int_constants": (
        "constant int INT_MAX_VALUE = 2147483647;\n"
        "constant int INT_MIN_VALUE = -2147483647 - 1;\n"
        "constant uint UINT_MAX_VALUE = 4294967295u;\n"
    ),
}


_ACCESS_READ = {"read", "r", "read_only", "readonly", "const"}


def create_compute_kernel(
    name: str,
    body: str,
    buffers: Sequence[Tuple[str, str, str]],
    threads_per_grid: bool = True,
    include_stdlib: bool = True,
) -> str:
    """Source of a compute kernel ``name`` whose parameters are the given buffers.

    ``buffers`` is a list of ``(name, type, access)``: access ``"read"`` gives a
    ``device const T*`` parameter, anything else ``device T*``; buffer ``i`` is bound to
    ``[[buffer(i)]]``. With ``threads_per_grid`` the kernel also receives
    ``uint idx [[thread_position_in_grid]]``. ``body`` is the kernel body (without braces).
    """
    _check_name(name)
    params: List[str] = []
    seen = set()
    for i, given in enumerate(buffers):
        spec = tuple(given)
        if len(spec) == 2:
            bname, btype = spec
            access = "read_write"
        elif len(spec) == 3:
            bname, btype, access = spec
        else:
            raise ValueError(f"buffer {i}: expected (name, type, access), got {spec!r}")
        if not isinstance(bname, str) or not _IDENT.match(bname):
            raise ValueError(f"buffer {i}: invalid name {bname!r}")
        if bname in seen or (threads_per_grid and bname == "idx"):
            raise ValueError(f"buffer {i}: duplicate parameter name {bname!r}")
        seen.add(bname)
        if not isinstance(btype, str) or not btype.strip():
            raise ValueError(f"buffer {i}: invalid type {btype!r}")
        btype = btype.strip()
        qual = "device const" if str(access).lower() in _ACCESS_READ else "device"
        params.append(f"    {qual} {btype}* {bname} [[buffer({i})]]")
    if threads_per_grid:
        params.append("    uint idx [[thread_position_in_grid]]")
    lines = []
    if include_stdlib:
        lines.append(COMMON_SNIPPETS["metal_stdlib"])
    lines.append(f"kernel void {name}(")
    lines.append(",\n".join(params) + ")")
    lines.append("{")
    for bl in body.strip("\n").split("\n"):
        lines.append(("    " + bl) if bl.strip() else "")
    lines.append("}")
    return "\n".join(lines) + "\n"
