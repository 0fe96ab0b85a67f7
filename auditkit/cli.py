"""The ``auditkit`` command: thin wrappers over the library.

Exit status: 0 when the job ran, 1 when some input could not be read (the rest
was processed all the same), 2 on a usage error. No traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

CLUSTER_HELP = ("在 Dask 集群上读取，如 tcp://host:8786 或调度器文件；缺省取 AUDITKIT_CLUSTER，否则本机多进程 "
                "(read on this Dask scheduler, or a scheduler file; default $AUDITKIT_CLUSTER, else local processes)")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="auditkit", description="政府信息公开工作年度报告审核工具 (audit toolkit for annual "
                                "reports on government information disclosure)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    parse = sub.add_parser("parse", help="读取报告，输出规范记录 JSON Lines (read reports into canonical records)")
    parse.add_argument("paths", nargs="+", metavar="PATH", help="报告文件或文件夹（递归） (files or folders)")
    parse.add_argument("--jsonl", type=Path, help="写入此文件，缺省写到标准输出 (output file; default stdout)")
    parse.add_argument("--jobs", type=int, default=None, help="并行进程数，缺省为全部核心 (worker processes)")
    parse.add_argument("--cluster", metavar="ADDRESS", default=None, help=CLUSTER_HELP)

    audit = sub.add_parser("audit", help="读取并审核报告，写出结果 (read, validate, write findings)")
    audit.add_argument("paths", nargs="*", metavar="PATH", help="报告文件或文件夹；缺省为自带样例 (default: bundled samples)")
    audit.add_argument("--out", type=Path, required=True, help="结果文件夹 (output folder)")
    audit.add_argument("--store", type=Path, default=None, help="报告库 SQLite 路径 (report store; env AUDITKIT_STORE)")
    audit.add_argument("--jobs", type=int, default=None, help="并行进程数 (worker processes)")
    audit.add_argument("--cluster", metavar="ADDRESS", default=None, help=CLUSTER_HELP)
    audit.add_argument("--fail-on", choices=["critical", "warning", "info"], default=None,
                       help="存在该级别及以上问题时以状态 3 退出 (exit 3 when such findings exist)")

    sub.add_parser("rules", help="列出全部审核规则 (list every rule)")

    alias = sub.add_parser("alias", help="登记机关名称别名，用于跨年度核对 (agency name alias for carry-over)")
    alias.add_argument("alias", help="别名，如 平潭综合实验区管委会办公室")
    alias.add_argument("canonical", help="规范名称，如 平潭综合实验区")
    alias.add_argument("--store", type=Path, default=None, help="报告库 SQLite 路径 (report store)")
    alias.add_argument("--note", default=None, help="说明 (why)")

    report = sub.add_parser("report", help="由审核文件夹重建 audit.html (rebuild the shared HTML result)")
    report.add_argument("dir", type=Path, metavar="DIR")

    export = sub.add_parser("export-notebook", help="无界面运行笔记本并导出离线 HTML (run a notebook, export offline HTML)")
    export.add_argument("notebook", type=Path)
    export.add_argument("--out", type=Path, required=True)
    return p


def _cmd_parse(args: argparse.Namespace) -> int:
    from auditkit.batch import Failure, expand_paths, iter_reports

    files = expand_paths(args.paths)
    missing = [f for f in files if not Path(f).exists()]
    for f in missing:
        print(f"{f}: 文件不存在 (no such file)", file=sys.stderr)
    files = [f for f in files if Path(f).exists()]
    out = args.jsonl.open("w", encoding="utf-8") if args.jsonl else sys.stdout
    read = with_diags = 0
    failed = len(missing)
    try:
        for result in iter_reports(files, jobs=args.jobs, client=args.cluster):
            if isinstance(result, Failure):
                failed += 1
                print(result.line(), file=sys.stderr)
                record = result.to_record()
            else:
                read += 1
                with_diags += bool(result.diagnostics)
                record = result.to_record()
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if args.jsonl:
            out.close()
    print(f"读取 {read} 份，其中 {with_diags} 份有诊断信息，{failed} 份无法读取 "
          f"(read {read}, with diagnostics {with_diags}, failed {failed})", file=sys.stderr)
    return 1 if failed else 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from auditkit.audit import run_audit

    result = run_audit(args.paths, args.out, store=args.store, jobs=args.jobs, client=args.cluster)
    print(result.summary, file=sys.stderr)
    for failure in result.failures:
        print(failure.line(), file=sys.stderr)
    print(f"结果已写入 {args.out} (results written)", file=sys.stderr)
    return result.exit_code(args.fail_on)


def _cmd_rules(args: argparse.Namespace) -> int:
    from auditkit.audit import rule_catalogue

    frame = rule_catalogue()
    for row in frame.itertuples(index=False):
        print(f"{row.rule_id}\t{row.category}\t{row.severity}\t{row.description}\t{row.basis}")
    print(f"共 {len(frame)} 条规则 ({len(frame)} rules)", file=sys.stderr)
    return 0


def _cmd_alias(args: argparse.Namespace) -> int:
    from auditkit.store import add_alias

    add_alias(args.alias, args.canonical, store=args.store, note=args.note)
    print(f"已登记：「{args.alias}」即「{args.canonical}」 (alias recorded)", file=sys.stderr)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from auditkit.render.html import rebuild_report
    from auditkit.render.xlsx import write_findings_xlsx

    if not (args.dir / "findings.csv").exists():
        print(f"{args.dir}: 不是审核结果文件夹，缺少 findings.csv (not an audit folder)", file=sys.stderr)
        return 2
    for path in (rebuild_report(args.dir), write_findings_xlsx(args.dir)):
        print(f"已生成 {path} (written)", file=sys.stderr)
    return 0


def _cmd_export_notebook(args: argparse.Namespace) -> int:
    from auditkit.render.notebook import export_notebook

    path = export_notebook(args.notebook, args.out)
    print(f"已生成 {path} (written)", file=sys.stderr)
    return 0


COMMANDS = {"parse": _cmd_parse, "audit": _cmd_audit, "rules": _cmd_rules, "alias": _cmd_alias, "report": _cmd_report,
            "export-notebook": _cmd_export_notebook}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on a usage error, 0 on --help
        return int(exc.code or 0)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("已中断 (interrupted)", file=sys.stderr)
        return 130
    except (OSError, ValueError) as exc:
        print(f"auditkit {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
