"""``python -m pymetal info`` lists devices and backends; ``python -m pymetal check FILE.metal``
compiles MSL for every available device and prints diagnostics (exit 1 on error)."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional


def _info() -> int:
    import pymetal as pm

    print(f"pymetal {pm.__version__} (pymetal-rs {pm.__build_version__})")
    try:
        default = pm.create_system_default_device()
    except pm.MetalError as e:
        default = None
        print(f"default device: none ({e})")
    print("backends:")
    for name, devices in pm.backends():
        print(f"  {name}: {len(devices)} device(s)")
    print("devices:")
    for d in pm.copy_all_devices():
        mark = "*" if d is default else " "
        s = d.max_threads_per_threadgroup
        print(
            f" {mark} {d.spec:<8} {d.name}  (max threads/threadgroup {s.width}x{s.height}x{s.depth}, "
            f"threadgroup memory {d.max_threadgroup_memory_length} B, "
            f"working set {d.recommended_max_working_set_size / 2**30:.1f} GiB, "
            f"unified memory {'yes' if d.has_unified_memory else 'no'})"
        )
    return 0


def _check(files: List[str], defines: List[str], include_paths: List[str], fast_math: bool) -> int:
    import pymetal as pm

    devices = [d for d in pm.copy_all_devices() if d.backend != "noop"] or list(pm.copy_all_devices())
    failed = False
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                source = f.read()
        except OSError as e:
            print(f"{path}: error: {e}", file=sys.stderr)
            failed = True
            continue
        opts = pm.CompileOptions(defines=defines, include_paths=include_paths, fast_math=fast_math, file_name=path)
        for d in devices:
            try:
                lib = d.new_library_with_source(source, opts)
            except pm.CompileError as e:
                failed = True
                print(f"[{d.spec}] {path}: FAILED\n{e}", file=sys.stderr)
                continue
            names = ", ".join(lib.function_names) or "no entry points"
            print(f"[{d.spec}] {path}: ok ({names})")
    return 1 if failed else 0


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="python -m pymetal", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("info", help="list devices and backends")
    c = sub.add_parser("check", help="compile MSL files on every device and print diagnostics")
    c.add_argument("files", nargs="+", metavar="FILE.metal")
    c.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME[=VALUE]")
    c.add_argument("-I", dest="include_paths", action="append", default=[], metavar="DIR")
    c.add_argument("--fast-math", action="store_true")
    args = p.parse_args(argv)
    if args.cmd == "info":
        return _info()
    return _check(args.files, args.defines, args.include_paths, args.fast_math)


if __name__ == "__main__":
    sys.exit(main())
