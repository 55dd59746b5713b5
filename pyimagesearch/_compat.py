"""The book's camelCase names, mapped onto this package's snake_case ones.

The book's scripts call ``TrainingMonitor(figPath, jsonPath=..., startAt=...)``,
``HDF5DatasetWriter(dims, outputPath, dataKey="features", bufSize=...)`` or
``nn.fit(X, y, epochs=1000, displayUpdate=100)`` and read ``gen.batchSize``.
This package names the same arguments and attributes the PEP 8 way
(``fig_path``, ``json_path``, ``start_at``, ``batch_size``...). Two small
helpers accept both spellings, so a book script runs unchanged:

- `book_aliases` decorates a function (or ``__init__``) and renames the
  book's keyword arguments before the call; passing both spellings of one
  argument is a `TypeError` that names both;
- `book_attribute` is a property that reads (and writes) the snake_case
  attribute under the book's name.

Example:

```python
class TrainingMonitor(keras.callbacks.Callback):
    @book_aliases(figPath="fig_path", jsonPath="json_path", startAt="start_at")
    def __init__(self, fig_path, json_path=None, start_at=0):
        ...

    startAt = book_attribute("start_at")
```
"""

import functools
import inspect

__all__ = ["book_aliases", "book_attribute"]

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def book_aliases(**aliases):
    """Decorator: accept the book's keyword names `aliases` (``camelCase="snake_case"``).

    Every alias must name a parameter of the decorated function (or the
    function must take ``**kwargs``). The aliases are listed in the
    wrapper's ``__book_aliases__`` (for documentation and tests).

    Raises (at call time):
        TypeError: both spellings of one argument were given (as keywords,
            or the snake_case one positionally).
    """
    for camel, snake in aliases.items():
        if not (isinstance(camel, str) and isinstance(snake, str) and camel != snake):
            raise ValueError(
                f"book_aliases: each alias maps a book name onto another name. "
                f"Received: {camel!r}={snake!r}"
            )

    def decorate(func):
        signature = inspect.signature(func)
        params = signature.parameters
        takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        positions = {name: i for i, (name, p) in enumerate(params.items())
                     if p.kind in _POSITIONAL}
        for camel, snake in aliases.items():
            if snake not in params and not takes_kwargs:
                raise ValueError(
                    f"book_aliases: {func.__qualname__}() has no parameter {snake!r} "
                    f"(alias {camel!r})"
                )
            if camel in params:
                raise ValueError(
                    f"book_aliases: {func.__qualname__}() already has a parameter {camel!r}"
                )

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for camel, snake in aliases.items():
                if camel not in kwargs:
                    continue
                given_positionally = snake in positions and positions[snake] < len(args)
                if snake in kwargs or given_positionally:
                    raise TypeError(
                        f"{func.__qualname__}() got both `{camel}` (the book's name) and "
                        f"`{snake}` for the same argument: pass only one"
                    )
                kwargs[snake] = kwargs.pop(camel)
            return func(*args, **kwargs)

        wrapper.__book_aliases__ = dict(aliases)
        return wrapper

    return decorate


def book_attribute(name, doc=None):
    """A property that gives attribute `name` under the book's spelling.

    Example:

    ```python
    class HDF5DatasetGenerator:
        batchSize = book_attribute("batch_size")
    ```
    """

    def fget(self):
        return getattr(self, name)

    def fset(self, value):
        setattr(self, name, value)

    return property(fget, fset, doc=doc or f"The book's name of `{name}`.")
