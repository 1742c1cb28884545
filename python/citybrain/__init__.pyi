"""Type stubs of the package citybrain (the engine lives in citybrain._citybrain)."""
from ._citybrain import (
    Archive as Archive,
    Engine as Engine,
    Error as Error,
    InvalidArgumentError as InvalidArgumentError,
    LoadError as LoadError,
    NotFoundError as NotFoundError,
    SignalLayer as SignalLayer,
    StateError as StateError,
    __version__ as __version__,
)

__all__: list[str]
