"""`python -m bot ...`: the console, the Slack server, and the maintenance commands."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from pathlib import Path

from bot import cli_data
from bot.bootstrap import start_runtime
from bot.config import Settings
from bot.logs import configure_logging


DATA_COMMANDS: dict = {}  # export, import, import-actuals: bot/cli_data.py


def _console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console.app import Console, ConsoleUser

    runtime = start_runtime(settings)
    engine = runtime.engine
    interactive = sys.stdin.isatty()
    console = Console(runtime, ConsoleUser(team=args.team, name=args.user, language=args.lang))
    if interactive or args.banner:
        print(console.renderer.message("console.banner", console.user.actor().locale.startswith("zh") and "zh-CN" or "en",
                                       database=engine.url.render_as_string(hide_password=True), team=args.team, user=args.user))
        if not settings.has_slack:
            print(console.renderer.message("console.no_slack", "zh-CN" if args.lang.startswith("zh") else "en"))
        print()
    else:
        print(f"# database: {engine.url.render_as_string(hide_password=True)}", file=sys.stderr)
    lines = _prompted_lines() if interactive else sys.stdin.buffer  # bytes: a line that is not UTF-8 is refused alone
    console.run(lines, echo=args.echo)
    return 0


def _db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.database import make_engine
    from bot.store.schema import current_revision, head_revision, upgrade

    if args.action == "check":  # the schema (migrating SQLite when AUTO_MIGRATE allows) and the advisor's rules
        start_runtime(settings).engine.dispose()
        return 0
    engine = make_engine(settings.database_url)
    if args.action == "upgrade":
        upgrade(engine)
    print(f"database {engine.url.render_as_string(hide_password=True)}: revision {current_revision(engine)} (code: {head_revision()})")
    return 0


def _prompted_lines():
    """Lines typed at a prompt with line editing and a history kept between sessions (the up arrow)."""
    history = _line_editing()
    try:
        while True:
            try:
                yield input("perf> ")
            except (EOFError, KeyboardInterrupt):
                print()
                return
    finally:
        if history is not None:
            _save_history(history)


def _line_editing() -> Path | None:
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input() still works
        return None
    from platformdirs import user_data_dir

    history = Path(user_data_dir("perfbot", appauthor=False)) / "console_history"
    readline.set_history_length(1000)
    try:
        readline.read_history_file(history)
    except OSError:
        pass
    return history


def _save_history(history: Path) -> None:
    import readline

    try:
        history.parent.mkdir(parents=True, exist_ok=True)
        readline.write_history_file(history)
    except OSError:
        pass


def _digest(args: argparse.Namespace, settings: Settings) -> int:
    """The same digest as `/digest now`, to read or to pipe; nothing is written to the workspace."""
    from sqlmodel import Session, select

    from bot.console.app import save_chart
    from bot.render.text import Renderer
    from bot.services.digests import build_digest
    from bot.store.models import Workspace

    runtime = start_runtime(settings)
    renderer = Renderer(runtime.catalog)
    language = "zh-CN" if args.lang == "zh" else "en"
    with Session(runtime.engine) as session:
        workspace = session.exec(select(Workspace).where(Workspace.team_id == args.team)).first()
        if workspace is None:
            print(renderer.message("error.unknown_team", language, team=args.team), file=sys.stderr)
            return 1
        from datetime import datetime, timezone

        ready = build_digest(session, workspace, datetime.now(timezone.utc), rules=runtime.insights)
    print(renderer.render("replies/digest_ready.j2", language, r=ready))
    if ready.charts and not args.no_chart:
        from platformdirs import user_data_dir
        from pathlib import Path

        path = save_chart(renderer, ready, language, Path(user_data_dir("perfbot", appauthor=False)) / "charts")
        print("\n" + renderer.message("digest.chart_saved", language, path=path))
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.server import serve

    return serve(settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Marketing performance bot: OKRs, KPIs, check-ins.")
    sub = parser.add_subparsers(dest="command")
    console = sub.add_parser("console", help="type commands locally (the default without Slack credentials)")
    _console_options(console)
    sub.add_parser("serve", help="serve Slack and/or Feishu (HTTP on PORT; Slack also in Socket Mode with SLACK_APP_TOKEN)")
    db = sub.add_parser("db", help="database migrations")
    db.add_argument("action", choices=("upgrade", "current", "check"),
                    help="upgrade: migrate to the code's version; current: show it; check: what `serve` checks before it starts")
    digest = sub.add_parser("digest", help="print a workspace's current weekly digest")
    digest.add_argument("--team", default="local", help="the workspace (Slack team id, or the console's --team)")
    digest.add_argument("--lang", default="en", choices=("en", "zh"))
    digest.add_argument("--no-chart", action="store_true", help="do not write the chart file")
    sub.add_parser("source-key", help="print a new SOURCE_SECRET_KEY (data sources' secrets are encrypted with it)")
    DATA_COMMANDS.update(cli_data.register(sub))
    return parser


def _source_key(args, settings: Settings) -> int:
    from bot.connectors.secrets import SecretBox

    print(SecretBox.new_key())
    return 0


def _console_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", default=_default_user(), help="who you are in the console (default: your login name)")
    parser.add_argument("--team", default="local", help="the workspace to use (default: local)")
    parser.add_argument("--lang", default="en", choices=("en", "zh"), help="reply language")
    parser.add_argument("--echo", action="store_true", help="print each command before its reply")
    parser.add_argument("--banner", action="store_true", help="print the welcome text even when input is piped")


def _default_user() -> str:
    try:
        return getpass.getuser() or "me"
    except Exception:  # no login name in some containers
        return "me"


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # `python -m bot digest | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return 0


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level, settings.secrets())
    if args.command != "db" and logging.getLogger().level > logging.DEBUG:
        logging.getLogger("alembic").setLevel(logging.WARNING)  # replies, not migration logs (`db upgrade` still shows them)
    if args.command is None:
        if settings.has_slack or settings.has_feishu:
            return _serve(args, settings)
        args = parser.parse_args(["console", *(argv or [])])
    handlers = {"console": _console, "serve": _serve, "digest": _digest, "db": _db, "source-key": _source_key, **DATA_COMMANDS}
    return handlers[args.command](args, settings)
