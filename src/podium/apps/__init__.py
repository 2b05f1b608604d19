"""Reference applications built on Podium (see :mod:`podium.apps.event_assistant`)."""

__all__: list[str] = []
