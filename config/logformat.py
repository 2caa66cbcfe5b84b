import json
import logging

# The attributes every log record has; what a caller adds through `extra` is the rest.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonLines(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message, and the fields
    its caller gave in `extra`, for a log collector to index."""

    def format(self, record):
        fields = {key: value for key, value in vars(record).items() if key not in _STANDARD}
        return json.dumps(
            {
                "time": self.formatTime(record),
                "level": record.levelname,
                "logger": record.name,
                "message": record.getMessage(),
                **fields,
            },
            default=str,
        )
