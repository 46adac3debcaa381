"""`python -m bot export | import | import-actuals`: a workspace's data out and in, from a shell.

Bad input (a missing file, a broken document, a bad row, an unknown team or user) is explained
from the catalogs and exits 1, with nothing half-applied and no traceback.
"""

from __future__ import annotations

from bot.domain.words import LANGUAGES as WORDS

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.domain.errors import UserError

log = logging.getLogger(__name__)
LANGUAGES = {flag: WORDS[flag] for flag in ("en", "zh")}  # --lang: the language words of the command language
Handler = Callable[[argparse.Namespace, Settings], int]


def register(subparsers) -> dict[str, Handler]:
    """Add the data commands to `python -m bot`; returns {command name: handler}."""
    export = subparsers.add_parser("export", help="write a workspace's goals, KPIs, check-ins and settings as JSON")
    export.add_argument("--team", default="local", help="the workspace (Slack team id, or the console's --team)")
    export.add_argument("--output", "-o", default="-", help="the file to write (default: standard output)")
    _language(export)
    restore = subparsers.add_parser("import", help="restore an export into an empty workspace")
    restore.add_argument("file", nargs="?", default="-", help="the export to read (default: standard input)")
    restore.add_argument("--team", default=None, help="import under this team id instead of the export's own")
    _language(restore)
    actuals = subparsers.add_parser("import-actuals", help="check in KPI and key-result actuals from a CSV file (all rows or none)")
    actuals.add_argument("file", help="CSV with a header: ref,value[,confidence][,note][,date][,author] (or 编号,数值,信心,备注,日期,负责人)")
    actuals.add_argument("--team", default="local", help="the workspace (Slack team id, or the console's --team)")
    actuals.add_argument("--user", required=True, help="who records the rows: a member's user id or name (usually an owner)")
    _language(actuals)
    return {"export": export_command, "import": import_command, "import-actuals": import_actuals_command}


def _language(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", default=None, choices=tuple(LANGUAGES), help="message language (default: the workspace's)")


class _Output:
    """Messages from the catalogs, in the language asked for."""

    def __init__(self, runtime, lang: str | None) -> None:
        from bot.render.text import Renderer

        self.renderer = Renderer(runtime.catalog)
        self.language = LANGUAGES.get(lang or "", "en")

    def error(self, error: UserError, language: str | None = None) -> int:
        from bot.services import actuals, transfer_document

        language = language or self.language
        lines = [self.renderer.error(error, language)]
        lines += actuals.describe_problems(self.renderer.catalog, language, error)
        lines += transfer_document.describe_problems(self.renderer.catalog, language, error)
        print("\n".join(lines), file=sys.stderr)
        return 2 if error.key == "error.internal" else 1

    def message(self, key: str, file=sys.stdout, **params: object) -> None:
        print(self.renderer.message(key, self.language, **params), file=file)


def export_command(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import Session

    from bot.bootstrap import start_runtime
    from bot.services.transfer import export_workspace

    runtime = start_runtime(settings)
    out = _Output(runtime, args.lang)
    try:
        with Session(runtime.engine) as session:
            document = export_workspace(session, args.team)
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if args.output == "-":
            sys.stdout.buffer.write(text.encode("utf-8"))
            sys.stdout.flush()
        else:
            _write(Path(args.output), text)
    except UserError as error:
        return out.error(error)
    counts = {name: len(document[name]) for name in ("members", "objectives", "kpis", "checkins")}
    key_results = sum(len(o["key_results"]) for o in document["objectives"])
    out.message("transfer.exported", file=sys.stderr if args.output == "-" else sys.stdout, team=args.team, key_results=key_results, **counts)
    return 0


def import_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.bootstrap import start_runtime
    from bot.services.transfer import import_workspace
    from bot.store.database import unit_of_work

    runtime = start_runtime(settings)
    out = _Output(runtime, args.lang)
    try:
        text = _read(args.file)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise UserError("transfer.error.not_json", line=error.lineno, column=error.colno, detail=error.msg) from None
        with unit_of_work(runtime.engine) as session:
            summary = import_workspace(session, document, args.team)
    except UserError as error:
        return out.error(error)
    except Exception:
        log.exception("import failed")
        return out.error(UserError("error.internal"))
    print(out.renderer.result(summary, out.language))
    return 0


def import_actuals_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.bootstrap import start_runtime
    from bot.services.actuals import apply_actuals, parse_actuals_csv
    from bot.services.dispatch import run_use_case

    runtime = start_runtime(settings)
    out = _Output(runtime, args.lang)
    try:
        actor, language = _acting(runtime, args.team, args.user)
        language = out.language if args.lang else language
        rows = parse_actuals_csv(_read(args.file))
    except UserError as error:
        return out.error(error)
    outcome = run_use_case(runtime, actor, lambda ctx: apply_actuals(ctx, rows, "csv"), label=f"import-actuals {args.file}")
    if outcome.error is not None:
        return out.error(outcome.error, language)
    print(out.renderer.result(outcome.result, language))
    return 0


def _acting(runtime, team: str, who: str):
    """The member `--user` names, as an actor: never a stranger, who would join the workspace."""
    from sqlmodel import Session, select

    from bot.services.actuals import find_member
    from bot.services.context import Actor
    from bot.services.dispatch import reader_language
    from bot.store.models import Member, Workspace

    with Session(runtime.engine) as session:
        workspace = session.exec(select(Workspace).where(Workspace.team_id == team)).first()
        if workspace is None:
            raise UserError("error.unknown_team", team=team)
        try:
            member = find_member(list(session.exec(select(Member).where(Member.workspace_id == workspace.id)).all()), who)
        except UserError:
            raise UserError("actuals.error.unknown_user", user=who, team=team) from None
        actor = Actor(team_id=team, user_id=member.user_id, name=member.name, locale=member.locale, team_name=workspace.name)
        return actor, reader_language(workspace.language, member.locale)


def _read(name: str) -> str:
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as error:
        raise UserError("data.error.cannot_read", path=name, reason=error.strerror or error.__class__.__name__) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError("data.error.not_utf8", path="stdin" if name == "-" else name) from None


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError("data.error.cannot_write", path=str(path), reason=error.strerror or error.__class__.__name__) from None


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.cli_data …`: the same commands before (or without) `python -m bot` listing them."""
    parser = argparse.ArgumentParser(prog="python -m bot")
    handlers = register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return handlers[args.command](args, settings)


if __name__ == "__main__":
    sys.exit(main())
