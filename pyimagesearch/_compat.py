"""The book's camelCase names, mapped onto this package's snake_case ones.

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

    The aliases are listed in the wrapper's ``__book_aliases__``.

    Raises (at call time):
        TypeError: both spellings of one argument were given.
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
    """A property that gives attribute `name` under the book's spelling."""

    def fget(self):
        return getattr(self, name)

    def fset(self, value):
        setattr(self, name, value)

    return property(fget, fset, doc=doc or f"The book's name of `{name}`.")
