"""The agent app's ``bedrock_agentcore`` loggers follow Podium's log level.

``BedrockAgentCoreApp`` sets its logger to INFO and gives it a JSON handler: on its own it logs
one line per invocation and, for an exception, the whole stack trace (as ERROR). Under Podium
those loggers take ``PODIUM_LOG_LEVEL`` instead (WARNING by default: no per-invocation lines),
and an exception the app caught and answered for is one WARNING line naming it; its traceback
is kept only at DEBUG.
"""

from __future__ import annotations

import logging

__all__ = ["APP_LOGGER_PREFIX", "follow_log_level"]

APP_LOGGER_PREFIX = "bedrock_agentcore"


class _OneLineExceptions(logging.Filter):
    """Turn a record carrying an exception into one WARNING line (traceback kept at DEBUG)."""

    def __init__(self, keep_traceback: bool) -> None:
        super().__init__()
        self.keep_traceback = keep_traceback

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or record.levelno < logging.WARNING:
            return True
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        if not self.keep_traceback:
            error = record.exc_info[1]
            summary = f"{type(error).__name__}: {error}" if error is not None else "error"
            record.msg = f"{record.getMessage()}: {summary}"
            record.args = None
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def follow_log_level(level: str | int) -> None:
    """Give every ``bedrock_agentcore`` logger ``level`` and one-line exception records.

    Call it after the app is imported (the app sets its logger's level when it is built).
    """
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(numeric, int):
        numeric = logging.WARNING
    names = [APP_LOGGER_PREFIX]
    names += [
        name
        for name, found in logging.root.manager.loggerDict.items()
        if name.startswith(f"{APP_LOGGER_PREFIX}.") and isinstance(found, logging.Logger)
    ]
    for name in names:
        logger = logging.getLogger(name)
        logger.setLevel(numeric)
        for old in [f for f in logger.filters if isinstance(f, _OneLineExceptions)]:
            logger.removeFilter(old)
        logger.addFilter(_OneLineExceptions(keep_traceback=numeric <= logging.DEBUG))
