#!/usr/bin/env python3
"""Run the update corpus (tests/update/corpus.toml) through `scaffold update` and through
`copier update`, and report lost edits and conflicts for both tools.

    pip install copier                  # in a virtualenv
    cargo build
    python3 tests/update/compare-copier.py [--scaffold target/debug/scaffold] [--copier copier]

Each cell: a template at v1 (a git repository; copier gets v1.0.0 and v2.0.0 tags, scaffold
the same repository by file:// URL), a project generated from v1, one local edit, then an
update to v2 (or to changed answers). copier needs the project in git with a clean tree, so
for copier the generated project and the local edit are committed first; scaffold needs
neither. Both run without prompts and write conflicts inline.

A lost edit: a local line change that is gone from the file (or from the file it was
renamed to), a deleted file that came back, the user's own file gone or changed, or a flipped
execute bit reverted. A conflict: a file with `<<<<<<<` markers, or a `.rej` file.
"""

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def sh(args, cwd=None, env=None, check=True):
    out = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if check and out.returncode != 0:
        raise RuntimeError(f"{args} failed ({out.returncode}): {out.stderr.strip()}")
    return out


def git_env(home):
    cfg = Path(home) / ".gitconfig"
    if not cfg.exists():
        cfg.write_text(
            "[user]\n\tname = Test\n\temail = test@example.invalid\n"
            "[init]\n\tdefaultBranch = main\n"
        )
    env = dict(os.environ)
    env.update(GIT_CONFIG_GLOBAL=str(cfg), GIT_CONFIG_NOSYSTEM="1", NO_COLOR="1")
    env["SCAFFOLD_PACKS_DIR"] = str(Path(home) / "packs")
    return env


def v2_of(change, files, variables):
    files = dict(files)
    variables = dict(variables)
    for f, a, b in change.get("replace", []):
        assert a in files[f]
        files[f] = files[f].replace(a, b)
    for f, body in change.get("add", {}).items():
        files[f] = body
    for f in change.get("remove", []):
        del files[f]
    for a, b in change.get("rename", []):
        files[b] = files.pop(a)
    variables.update(change.get("default", {}))
    return files, variables


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def write_template(tool, d, version, files, variables):
    for p in d.iterdir():
        if p.name != ".git":
            p.unlink()
    if tool == "scaffold":
        lines = [f'[pack]\nname = "corpus"\nversion = "{version}"\ndescription = "corpus"\n']
        for name, default in variables.items():
            kind = "bool" if isinstance(default, bool) else "integer" if isinstance(default, int) else "string"
            lines.append(
                f'[[variables]]\nname = "{name}"\nprompt = "{name}"\ntype = "{kind}"\n'
                f"default = {toml_value(default)}\n"
            )
        (d / "pack.toml").write_text("".join(lines))
        suffix = ".tera"
    else:
        lines = ["_templates_suffix: .jinja\n", "project_name:\n  type: str\n  default: demo\n"]
        for name, default in variables.items():
            kind = "bool" if isinstance(default, bool) else "int" if isinstance(default, int) else "str"
            lines.append(f"{name}:\n  type: {kind}\n  default: {json.dumps(default)}\n")
        (d / "copier.yml").write_text("".join(lines))
        (d / "{{_copier_conf.answers_file}}.jinja").write_text(
            "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml -}}\n"
        )
        suffix = ".jinja"
    for path, body in files.items():
        f = d / f"{path}{suffix}"
        f.write_text(body)
        if body.startswith("#!"):
            f.chmod(f.stat().st_mode | 0o111)


def is_exec(p):
    try:
        return bool(p.stat().st_mode & 0o111)
    except FileNotFoundError:
        return False


def set_exec(p, on):
    mode = p.stat().st_mode
    p.chmod(mode | 0o111 if on else mode & ~0o111)


def edit_line(path, starts):
    out, found = [], False
    for line in path.read_text().splitlines():
        if not found and line.startswith(starts):
            found = True
            line += "  # local change"
        out.append(line + "\n")
    assert found, (path, starts)
    path.write_text("".join(out))


def conflict_files(d):
    n = 0
    for p in d.rglob("*"):
        if ".git" in p.parts or not p.is_file():
            continue
        if p.name.endswith(".rej") or b"<<<<<<<" in p.read_bytes():
            n += 1
    return n


def run_cell(tool, args, change, edit, files, variables, home):
    env = git_env(home)
    work = Path(tempfile.mkdtemp(prefix=f"cell-{tool}-"))
    try:
        tpl = work / "template"
        tpl.mkdir()
        write_template(tool, tpl, "1.0.0", files, variables)
        sh(["git", "init", "--quiet"], tpl, env)
        sh(["git", "add", "-A"], tpl, env)
        sh(["git", "commit", "--quiet", "-m", "v1"], tpl, env)
        sh(["git", "tag", "v1.0.0"], tpl, env)
        project = work / "demo"
        if tool == "scaffold":
            sh([args.scaffold, "new", "demo", "--yes", "--pack", f"file://{tpl}", "-o", str(work)], env=env)
        else:
            sh([args.copier, "copy", "--defaults", "--vcs-ref", "v1.0.0", "--data", "project_name=demo",
                str(tpl), str(project)], env=env)
            sh(["git", "init", "--quiet"], project, env)
            sh(["git", "add", "-A"], project, env)
            sh(["git", "commit", "--quiet", "-m", "generated"], project, env)

        files2, vars2 = v2_of(change, files, variables)
        ref = "v1.0.0"
        if files2 != files or vars2 != variables:
            write_template(tool, tpl, "2.0.0", files2, vars2)
            sh(["git", "add", "-A"], tpl, env)
            sh(["git", "commit", "--quiet", "-m", "v2"], tpl, env)
            sh(["git", "tag", "v2.0.0"], tpl, env)
            ref = "v2.0.0"

        target = project / change["target"]
        toggled = not is_exec(target)
        if edit == "same-lines":
            edit_line(target, change["pack_line"])
        elif edit == "other-lines":
            edit_line(target, "line_e")
        elif edit == "deleted":
            target.unlink()
        elif edit == "new-file":
            (project / "notes.txt").write_text("my notes\n")
        elif edit == "exec-bit":
            set_exec(target, toggled)

        sets = change.get("sets", {})
        if tool == "scaffold":
            cmd = [args.scaffold, "update", str(project)]
            for k, v in sets.items():
                cmd += ["--set", f"{k}={toml_value(v)}"]
            out = sh(cmd, env=env, check=False)
        else:
            # copier refuses a dirty tree: the edit is committed first.
            sh(["git", "add", "-A"], project, env)
            sh(["git", "commit", "--quiet", "--allow-empty", "-m", "local edit"], project, env)
            cmd = [args.copier, "update", "--defaults", "--conflict", "inline", "--vcs-ref", ref]
            for k, v in sets.items():
                cmd += ["--data", f"{k}={toml_value(v)}"]
            out = sh(cmd + [str(project)], env=env, check=False)
        failed = out.returncode not in (0, 1) or (tool == "copier" and out.returncode != 0)

        final = project / change.get("renamed_to", change["target"])
        content = final.read_text() if final.is_file() else None
        lost = False
        if edit in ("same-lines", "other-lines"):
            lost = content is None or "# local change" not in content
        elif edit == "deleted":
            lost = final.exists() or target.exists()
        elif edit == "new-file":
            notes = project / "notes.txt"
            lost = not notes.is_file() or notes.read_text() != "my notes\n"
        elif edit == "exec-bit":
            lost = not final.exists() or is_exec(final) != toggled
        expected = change["expect"][edit]
        missed = bool(
            change.get("new_line")
            and expected in ("updated", "merged")
            and (content is None or change["new_line"] not in content)
        )
        return {
            "lost": lost,
            "conflicts": conflict_files(project),
            "missed": missed,
            "failed": failed,
            "stderr": out.stderr.strip()[-300:] if failed else "",
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scaffold", default=str(ROOT / "target/debug/scaffold"))
    ap.add_argument("--copier", default=shutil.which("copier") or "copier")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    if not Path(args.scaffold).is_file():
        sys.exit(f"no scaffold binary at {args.scaffold}; run `cargo build` or pass --scaffold")
    try:
        sh([args.copier, "--version"])
    except (OSError, RuntimeError):
        sys.exit("copier is not installed; `pip install copier` (in a virtualenv) or pass --copier PATH")

    corpus = tomllib.loads((HERE / "corpus.toml").read_text())
    files, variables = corpus["files"], corpus["variables"]
    home = tempfile.mkdtemp(prefix="compare-home-")
    figures = {}
    details = []
    for tool in ("scaffold", "copier"):
        f = {"cells": 0, "lost_edits": 0, "conflicts": 0, "pack_changes_missed": 0, "failed_runs": 0}
        for change in corpus["changes"]:
            for edit in corpus["edits"]:
                r = run_cell(tool, args, change, edit, files, variables, home)
                f["cells"] += 1
                f["lost_edits"] += r["lost"]
                f["conflicts"] += r["conflicts"]
                f["pack_changes_missed"] += r["missed"]
                f["failed_runs"] += r["failed"]
                if r["lost"] or r["missed"] or r["failed"]:
                    what = ", ".join(k for k in ("lost", "missed", "failed") if r[k])
                    details.append(f"{tool:8} {change['id']} × {edit}: {what} {r['stderr']}")
        figures[tool] = f
    shutil.rmtree(home, ignore_errors=True)
    if args.json:
        print(json.dumps({"figures": figures, "details": details}, indent=2))
        return
    print(f"{'tool':10} {'cells':>5} {'lost edits':>10} {'conflicts':>9} {'pack changes missed':>19} {'failed runs':>11}")
    for tool, f in figures.items():
        print(f"{tool:10} {f['cells']:>5} {f['lost_edits']:>10} {f['conflicts']:>9} "
              f"{f['pack_changes_missed']:>19} {f['failed_runs']:>11}")
    for d in details:
        print("  " + d)


if __name__ == "__main__":
    main()
