"""The ``auditkit`` command: thin wrappers over the library.

This module alone decides the exit status:

- 0 the job ran;
- 1 some input could not be read (the rest was processed all the same, and each
  failure was listed on a line of its own);
- 2 usage error: a bad option or argument, or the library refused what it was given
  (a folder that holds no audit, a notebook that does not exist or fails, …);
- 3 with ``--fail-on``, failed findings of that severity or worse exist;
- 4 ``verify-log``: the review log's chain is broken (an event was changed, removed or added);
- 130 interrupted.

Every exception auditkit raises (``auditkit.errors.AuditkitError``) and every refusal
of the file system becomes one line on stderr, in Chinese with the English reason;
no traceback reaches the user. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from auditkit.errors import (
    AuditkitError,
    ExpressionError,
    NotAnAuditFolder,
    NotebookRunError,
    OfflineError,
    ReadError,
    ReviewError,
    ReviewLogError,
    StoreError,
    SuiteError,
    UsageError,
    ValidationRunError,
)

if TYPE_CHECKING:
    from auditkit.audit import AuditResult

EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE, EXIT_FINDINGS, EXIT_TAMPERED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
# What went wrong, in Chinese, put before a reason the library wrote in English only.
ERROR_TITLES: dict[type[Exception], str] = {
    ReadError: "无法读取",
    UsageError: "用法错误",
    NotAnAuditFolder: "不是审核结果文件夹",
    SuiteError: "规则文件有误",
    ExpressionError: "规则表达式有误",
    ValidationRunError: "规则未能运行",
    StoreError: "报告库拒绝了此操作",
    ReviewError: "无法记录审核结论",
    ReviewLogError: "审核记录不可用",
    NotebookRunError: "笔记本未能运行或导出",
    OfflineError: "页面不能离线打开",
    AuditkitError: "无法完成",
    OSError: "无法读写文件",
}


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, the terminal's width found as ``shutil.get_terminal_size`` finds it
    but without importing shutil (argparse makes a formatter at every ``add_argument``, and
    shutil brings bz2 and lzma with it: 7 M instructions of every start-up)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:
            width = _terminal_columns() - 2  # as argparse does
        super().__init__(prog, indent_increment, max_help_position, width)


def _terminal_columns() -> int:
    """$COLUMNS, else the width of the terminal stdout is on, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _Parser(argparse.ArgumentParser):
    """argparse with its complaints as one Chinese line (it prints the usage and exits 2 otherwise)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: 用法错误：{usage_message(message, self.option_names())}（{self.prog} -h 查看用法）",
              file=sys.stderr)
        raise SystemExit(EXIT_USAGE)

    def option_names(self) -> list[str]:
        """Every option string of this parser and of its subcommands (what an unknown option may have meant)."""
        names: list[str] = []
        for action in self._actions:
            names.extend(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                for parser in action.choices.values():
                    names.extend(o for a in parser._actions for o in a.option_strings)
        return list(dict.fromkeys(names))


# argparse's English complaints (Python 3.11 to 3.13 wording) -> Chinese, each with a "did you mean" where one fits.
# Pattern sources, compiled (and cached by ``re``) only when a complaint comes: not at every start-up.
_INVALID_CHOICE = r"argument (?P<arg>.+?): invalid choice: '?(?P<value>.*?)'? \(choose from (?P<choices>.*)\)$"
_REQUIRED = r"the following arguments are required: (?P<args>.+)$"
_UNRECOGNIZED = r"unrecognized arguments: (?P<args>.+)$"
_ARGUMENT = r"argument (?P<arg>.+?): (?P<rest>.+)$"
_ARGUMENT_PROBLEMS = (
    (r"expected one argument", "需要一个值"),
    (r"expected at least one argument", "至少需要一个值"),
    (r"expected at most one argument", "至多一个值"),
    (r"not allowed with argument (?P<other>.+)", "不能与 {other} 同时使用"),
    (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)", "{option} 有歧义，可能是 {matches}"),
    (r"invalid \S+ value: '?(?P<value>.*?)'?$", "取值 {value} 无效"),
)


def _did_you_mean(word: str, candidates: list[str]) -> str:
    import difflib  # here: only a mistyped command needs it

    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f"，您是否要输入 {close[0]}？" if close else ""


def usage_message(message: str, options: list[str]) -> str:
    """argparse's complaint in Chinese: ``invalid choice: 'audti'`` -> "未知命令 audti，您是否要输入 audit？"."""
    if m := re.match(_INVALID_CHOICE, message):
        value = m["value"]
        choices = [c.strip().strip("'") for c in m["choices"].split(",")]
        hint = _did_you_mean(value, choices) or f"（可选：{'、'.join(choices)}）"
        if m["arg"] == "COMMAND":
            return f"未知命令 {value}{hint}"
        return f"参数 {m['arg']} 的取值 {value} 无效{hint}"
    if m := re.match(_REQUIRED, message):
        return f"缺少必需的参数：{m['args']}"
    if m := re.match(_UNRECOGNIZED, message):
        words = m["args"].split()
        hint = next((h for w in words if w.startswith("-") and (h := _did_you_mean(w.split("=")[0], options))), "")
        return f"无法识别的参数：{' '.join(words)}{hint}"
    if m := re.match(_ARGUMENT, message):
        for pattern, chinese in _ARGUMENT_PROBLEMS:
            if p := re.match(pattern, m["rest"]):
                return f"参数 {m['arg']}：{chinese.format(**p.groupdict())}"
        return f"参数 {m['arg']}：{m['rest']}"  # our own type checks already say it in Chinese
    return message


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数 (must be a positive whole number): {text!r}")
    return value


def _existing_path(text: str) -> str:
    # Checked before anything is read: a mistyped path is a usage error at once, not an empty audit.
    if not os.path.exists(text):
        raise argparse.ArgumentTypeError(f"路径不存在：{text} (no such file or folder)")
    return text


RULES_HELP = ("用户规则文件夹，可重复；自带规则总会使用，另读 AUDITKIT_RULES 与缺省用户规则文件夹 "
              "(a folder of your own rules, repeatable; the bundled rules always run)")

CLUSTER_HELP = ("在 Dask 集群上读取，如 tcp://host:8786 或调度器文件；缺省取 AUDITKIT_CLUSTER，否则本机多进程 "
                "(read on this Dask scheduler, or a scheduler file; default $AUDITKIT_CLUSTER, else local processes)")


OUT_HELP = "项目中的 out/audit（与 make audit 相同；环境变量 AUDITKIT_OUT 可另指定）"


def _add_parse(sub: argparse._SubParsersAction) -> None:
    parse = sub.add_parser("parse", help="读取报告，输出规范记录 JSON Lines (read reports into canonical records)")
    parse.add_argument("paths", nargs="+", metavar="PATH", type=_existing_path,
                       help="报告文件或文件夹（递归） (files or folders)")
    parse.add_argument("--jsonl", type=Path, help="写入此文件，缺省写到标准输出 (output file; default stdout)")
    parse.add_argument("--jobs", type=_positive, default=None, help="并行进程数，缺省为全部核心 (worker processes)")
    parse.add_argument("--cluster", metavar="ADDRESS", default=None, help=CLUSTER_HELP)


def _add_audit(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="读取并审核报告，写出结果 (read, validate, write findings)")
    audit.add_argument("paths", nargs="*", metavar="PATH", type=_existing_path,
                       help="报告文件或文件夹；缺省为自带样例 (default: bundled samples)")
    audit.add_argument("--out", type=Path, default=None,
                       help=f"结果文件夹，缺省为 {OUT_HELP} (output folder; default as make audit)")
    audit.add_argument("--store", type=Path, default=None, help="报告库 SQLite 路径 (report store; env AUDITKIT_STORE)")
    audit.add_argument("--jobs", type=_positive, default=None, help="并行进程数 (worker processes)")
    audit.add_argument("--cluster", metavar="ADDRESS", default=None, help=CLUSTER_HELP)
    audit.add_argument("--fail-on", choices=["critical", "warning", "info"], default=None,
                       help="存在该级别及以上问题时以状态 3 退出 (exit 3 when such findings exist)")
    audit.add_argument("--rules", type=Path, action="append", default=[], metavar="DIR", help=RULES_HELP)


def _add_rules(sub: argparse._SubParsersAction) -> None:
    rules = sub.add_parser("rules", help="列出全部审核规则及其所在文件夹 (list every rule and its folder)")
    rules.add_argument("--rules", type=Path, action="append", default=[], metavar="DIR", help=RULES_HELP)


def _add_alias(sub: argparse._SubParsersAction) -> None:
    alias = sub.add_parser("alias", help="登记机关名称别名，用于跨年度核对 (agency name alias for carry-over)")
    alias.add_argument("alias", help="别名，如 平潭综合实验区管委会办公室")
    alias.add_argument("canonical", help="规范名称，如 平潭综合实验区")
    alias.add_argument("--store", type=Path, default=None, help="报告库 SQLite 路径 (report store)")
    alias.add_argument("--note", default=None, help="说明 (why)")


def _add_report(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="由审核文件夹重建 audit.html (rebuild the shared HTML result)")
    report.add_argument("dir", type=Path, metavar="DIR", nargs="?", default=None,
                        help=f"审核结果文件夹，缺省为 {OUT_HELP} (the audit folder)")


def _add_letters(sub: argparse._SubParsersAction) -> None:
    letters = sub.add_parser("letters", help="为每个机关生成审核意见书（Word），列出已确认的问题 "
                                             "(one Word letter per agency with its confirmed findings)")
    letters.add_argument("dir", type=Path, metavar="DIR", nargs="?", default=None,
                         help=f"审核结果文件夹，缺省为 {OUT_HELP} (the audit folder)")
    letters.add_argument("--out", type=Path, default=None, help="输出文件夹，缺省为 DIR/letters (output folder)")
    letters.add_argument("--template", type=Path, default=None,
                         help="Word 模板（含 {{ }} 字段的 .docx），缺省为自带模板 auditkit/templates/letter.docx，可复制后修改")
    letters.add_argument("--agency", default=None, help="只为此机关生成 (only this agency)")
    letters.add_argument("--deadline", default=None,
                         help="回复期限：日期 YYYY-MM-DD，或落款日期后的工作日数；缺省 15 个工作日 (reply by)")
    letters.add_argument("--issuer", default=None, help="发文单位，如 某市人民政府办公室 (the supervising office)")
    letters.add_argument("--date", default=None, help="落款日期 YYYY-MM-DD，缺省为今天 (the letters' date)")


def _add_verify_log(sub: argparse._SubParsersAction) -> None:
    verify = sub.add_parser("verify-log", help="核对审核记录的哈希链与记录头 (check the review log has not been rewritten)")
    verify.add_argument("dir", type=Path, metavar="DIR", nargs="?", default=None,
                        help=f"审核结果文件夹或 review.sqlite，缺省为 {OUT_HELP} (audit folder or the log)")


def _add_export_notebook(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export-notebook", help="无界面运行笔记本并导出离线 HTML (run a notebook, export offline HTML)")
    export.add_argument("notebook", type=Path)
    export.add_argument("--out", type=Path, required=True)


# Each command's arguments, in the order `auditkit --help` lists the commands.
_SUBCOMMANDS = {"parse": _add_parse, "audit": _add_audit, "rules": _add_rules, "alias": _add_alias,
                "report": _add_report, "letters": _add_letters, "verify-log": _add_verify_log,
                "export-notebook": _add_export_notebook}


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; with ``command``, only that command's arguments (a run names one: building
    the others' is a twentieth of `auditkit parse`'s start-up on one page)."""
    p = _Parser(prog="auditkit", description="政府信息公开工作年度报告审核工具 (audit toolkit for annual "
                                "reports on government information disclosure)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, add in _SUBCOMMANDS.items():
        if command in (None, name):
            add(sub)
    return p


def _cmd_parse(args: argparse.Namespace) -> int:
    import contextlib

    from auditkit.collector import collector_tuned_for_reading

    out = args.jsonl.open("w", encoding="utf-8") if args.jsonl else sys.stdout
    read = with_diags = failed = copies = 0
    with contextlib.ExitStack() as stack:
        if args.jsonl:
            stack.callback(out.close)
        # tuned before the readers are imported: their modules, classes and tables are most of
        # start-up's allocations, and none of it is garbage
        freeze_loaded = stack.enter_context(collector_tuned_for_reading())
        from auditkit.batch import Failure, iter_reports

        for result in iter_reports(args.paths, jobs=args.jobs, client=args.cluster, grams=False):
            if not (read or failed or copies):
                freeze_loaded()  # the first result: the readers it needed are loaded
            if isinstance(result, Failure):
                failed += result.unreadable
                copies += not result.unreadable
                print(result.line(), file=sys.stderr)
                record = result.to_record()
            else:
                read += 1
                with_diags += bool(result.diagnostics)
                record = result.to_record()
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    also = f"，{copies} 份与另一文件相同 (duplicates {copies})" if copies else ""
    print(f"读取 {read} 份，其中 {with_diags} 份有诊断信息，{failed} 份无法读取 "
          f"(read {read}, with diagnostics {with_diags}, failed {failed}){also}", file=sys.stderr)
    return EXIT_UNREADABLE if failed else EXIT_OK


def _cmd_audit(args: argparse.Namespace) -> int:
    from auditkit.audit import run_audit

    result = run_audit(args.paths, args.out, store=args.store, jobs=args.jobs, rules=args.rules,
                       client=args.cluster)
    print(result.summary, file=sys.stderr)
    for failure in result.failures:
        print(failure.line(), file=sys.stderr)
    print(f"结果已写入 {args.out} (results written)", file=sys.stderr)
    return audit_status(result, args.fail_on)


def audit_status(result: AuditResult, fail_on: str | None = None) -> int:
    """3 when a failed finding of ``fail_on`` severity or worse exists; else 1 when some input was unreadable
    (a duplicate, read once as the other file, is not); else 0."""
    if fail_on and len(result.failed(fail_on)):
        return EXIT_FINDINGS
    return EXIT_UNREADABLE if result.counts["unreadable"] else EXIT_OK


def _cmd_rules(args: argparse.Namespace) -> int:
    from auditkit.rules.suites import load_rules

    ruleset = load_rules(args.rules)
    frame = ruleset.catalogue()
    for row in frame.itertuples(index=False):
        print(f"{row.rule_id}\t{row.category}\t{row.severity}\t{row.description}\t{row.basis}\t{row.folder}")
    for f in ruleset.folder_records():
        print(f"{f['label']}：{f['rules']} 条 {f['path']}", file=sys.stderr)
    print(f"共 {len(frame)} 条规则 ({len(frame)} rules)", file=sys.stderr)
    return EXIT_OK


def _cmd_alias(args: argparse.Namespace) -> int:
    from auditkit.store import add_alias

    add_alias(args.alias, args.canonical, store=args.store, note=args.note)
    print(f"已登记：「{args.alias}」即「{args.canonical}」 (alias recorded)", file=sys.stderr)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from auditkit.render import rebuild_report
    from auditkit.review.log import check_log

    for path in rebuild_report(args.dir):
        print(f"已生成 {path} (written)", file=sys.stderr)
    check = check_log(args.dir)
    if check is not None and not check.ok:  # the pages carry the warning too; the terminal must not hide it
        print(f"警告 (WARNING): {check.line()}", file=sys.stderr)
    return EXIT_OK


def _cmd_letters(args: argparse.Namespace) -> int:
    from auditkit.letters import agencies_without_letter, write_letters

    paths = write_letters(args.dir, args.out, template=args.template, agency=args.agency, deadline=args.deadline,
                          issuer=args.issuer, date=args.date)
    for agency, why in agencies_without_letter(args.dir, agency=args.agency):
        print(f"{agency}：{why}，未生成审核意见书 (no letter)", file=sys.stderr)
    for path in paths:
        print(f"已生成 {path} (written)", file=sys.stderr)
    print(f"共生成审核意见书 {len(paths)} 份 ({len(paths)} letters)", file=sys.stderr)
    return EXIT_OK


def _cmd_verify_log(args: argparse.Namespace) -> int:
    from auditkit.review.log import check_log

    check = check_log(args.dir)
    if check is None:
        raise UsageError(f"{args.dir}: 没有审核记录 (no review log)")
    print(check.line())  # the command's result: stdout, as parse's records
    return EXIT_OK if check.ok else EXIT_TAMPERED


def _cmd_export_notebook(args: argparse.Namespace) -> int:
    from auditkit.render.notebook import export_notebook

    path = export_notebook(args.notebook, args.out)
    print(f"已生成 {path} (written)", file=sys.stderr)
    return EXIT_OK


COMMANDS = {"parse": _cmd_parse, "audit": _cmd_audit, "rules": _cmd_rules, "alias": _cmd_alias, "report": _cmd_report,
            "letters": _cmd_letters, "verify-log": _cmd_verify_log, "export-notebook": _cmd_export_notebook}


def error_line(command: str, exc: BaseException) -> str:
    """The one line a command prints for an error: where, what went wrong in Chinese, the reason."""
    reason = " ".join(str(exc).split()) or type(exc).__name__
    if not any("\u4e00" <= ch <= "\u9fff" for ch in reason):  # the library said it in English only
        title = next(ERROR_TITLES[c] for c in type(exc).__mro__ if c in ERROR_TITLES)
        reason = f"{title}：{reason}"
    return f"auditkit {command}: {reason}"


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    at = next((i for i, w in enumerate(words) if not w.startswith("-")), len(words))
    command = words[at] if at < len(words) and not {"-h", "--help"} & set(words[:at]) else None
    parser = _parser(command if command in _SUBCOMMANDS else None)  # none, or a wrong one: all, to list them
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # a usage error (2, said by _Parser.error) or --help (0)
        return int(exc.code or 0)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    # One results folder by default: the one make audit writes, which the notebooks use too.
    folder = {"audit": "out", "report": "dir", "letters": "dir", "verify-log": "dir"}.get(args.command)
    if folder and getattr(args, folder) is None:
        from auditkit.results import default_out_dir

        setattr(args, folder, default_out_dir())
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("已中断 (interrupted)", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (AuditkitError, OSError) as exc:
        print(error_line(args.command, exc), file=sys.stderr)
        return EXIT_UNREADABLE if isinstance(exc, ReadError) else EXIT_USAGE


def run() -> NoReturn:
    """The console script: ``main()``, then an exit that does what exiting must (atexit
    handlers, stdout and stderr flushed) but skips freeing the interpreter's objects one
    by one, which costs `auditkit parse` a tenth of its start-up. Threads still running,
    or a Python without the hooks used, get the ordinary exit."""
    code = main()
    import atexit
    import threading

    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if run_exit_handlers is None or others:
        sys.exit(code)
    run_exit_handlers()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: let the ordinary exit report it
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":
    run()
