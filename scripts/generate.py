"""Regenerate generated/kling_edit_api from the route files, or prove that nothing drifted.

Usage:
    python scripts/generate.py           # bundle the spec and regenerate generated/
    python scripts/generate.py --check   # do it all in a temporary folder and compare

The pipeline is: openapi/routes/*.yaml + openapi/overlays/*.yaml -> openapi/kling-edit.openapi.yaml
(scripts/bundle_spec.py) -> openapi-python-client with openapi/generator-config.yaml ->
generated/kling_edit_api, plus generated/GENERATION.json, which records the spec's sha256 and
the tool versions.
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

from bundle_spec import BUNDLE_PATH, BundleError, bundle, render

ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = ROOT / "openapi" / "generator-config.yaml"
# Templates that replace the generator's own (a lazy models/__init__.py, cheaper from_dict).
TEMPLATES_DIR = ROOT / "openapi" / "templates"
GENERATED_DIR = ROOT / "generated"
PACKAGE = "kling_edit_api"
RECORD = "GENERATION.json"
OPENAPI_INPUTS = [
    *(ROOT / "openapi" / "routes").glob("*.yaml"),
    *(ROOT / "openapi" / "overlays").glob("*.yaml"),
    *TEMPLATES_DIR.rglob("*.jinja"),
    ROOT / "openapi" / "components.yaml",
    CONFIG_PATH,
]


def _run_generator(spec: Path, package_dir: Path) -> None:
    # The generator's post-hooks call `ruff` from PATH: make it the pinned one next to this Python.
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    subprocess.run(
        [
            str(Path(sys.executable).parent / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--config",
            str(CONFIG_PATH),
            "--custom-template-path",
            str(TEMPLATES_DIR),
            "--meta",
            "none",
            "--output-path",
            str(package_dir),
            "--overwrite",
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def build(out_dir: Path) -> Path:
    """Write the bundle and the generated package under `out_dir`; answer the bundle's path."""
    spec_text = render(bundle())
    spec_path = out_dir / BUNDLE_PATH.name
    spec_path.write_text(spec_text, encoding="utf-8")
    package_dir = out_dir / "generated" / PACKAGE
    _run_generator(spec_path, package_dir)
    # With `--meta none` the generator writes no py.typed; the package ships typed all the same.
    (package_dir / "py.typed").write_text("")
    record = {
        "spec": "openapi/" + BUNDLE_PATH.name,
        "spec_sha256": hashlib.sha256(spec_text.encode("utf-8")).hexdigest(),
        "openapi-python-client": version("openapi-python-client"),
        "ruff": version("ruff"),
        # Every input, so that even an edit the bundle does not carry (a route file's `info`)
        # shows up as drift until `make generate` runs.
        "inputs": {
            str(path.relative_to(ROOT)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(OPENAPI_INPUTS)
        },
    }
    (out_dir / "generated" / RECORD).write_text(json.dumps(record, indent=2) + "\n")
    return spec_path


def _differences(expected: Path, actual: Path) -> list[str]:
    comparison = filecmp.dircmp(expected, actual, ignore=["__pycache__"])
    found = [f"{actual / name}" for name in comparison.left_only + comparison.right_only]
    found += [f"{actual / name}" for name in comparison.diff_files]
    for sub in comparison.subdirs.values():
        found += _differences(Path(sub.left), Path(sub.right))
    # dircmp compares shallowly (size and mtime first); confirm same-looking files byte for byte.
    found += [
        f"{actual / name}"
        for name in comparison.same_files
        if (expected / name).read_bytes() != (actual / name).read_bytes()
    ]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kling-edit-gen-") as tmp:
        out_dir = Path(tmp)
        try:
            spec_path = build(out_dir)
        except BundleError as error:
            print(f"generate: {error}", file=sys.stderr)
            return 1
        if args.check:
            drift = _differences(out_dir / "generated", GENERATED_DIR)
            if BUNDLE_PATH.read_bytes() != spec_path.read_bytes():
                drift.append(str(BUNDLE_PATH))
            if drift:
                print(
                    f"generated code is out of date ({len(drift)} files differ, e.g. "
                    f"{Path(drift[0]).relative_to(ROOT)}): run make generate",
                    file=sys.stderr,
                )
                return 1
            return 0
        shutil.copyfile(spec_path, BUNDLE_PATH)
        shutil.rmtree(GENERATED_DIR / PACKAGE, ignore_errors=True)
        shutil.copytree(out_dir / "generated" / PACKAGE, GENERATED_DIR / PACKAGE)
        shutil.copyfile(out_dir / "generated" / RECORD, GENERATED_DIR / RECORD)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
