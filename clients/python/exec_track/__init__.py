"""Track a Python code block, function or notebook cell as an exec-track execution.

    import exec_track

    with exec_track.execution("fit", session="sweep-1") as ex:
        for step in range(3):
            print(f"epoch {step}")
            ex.log(loss=1 / (step + 1), step=step)

Stdlib only. Events go to ``exec-track record`` (found via ``EXEC_TRACK_BIN``, ``exec-track`` on
PATH, or ``npx``), which records them as ``exec-track run`` records a command. See docs/clients.md.
"""

import functools
import inspect
import sys
from typing import Any, Callable, List, Optional, TypeVar, Union, overload

from ._execution import Execution, ExecTrackWarning
from ._sidecar import ExecTrackError, wait_delivering

__all__ = ["Execution", "ExecTrackError", "ExecTrackWarning", "execution", "track", "start", "finish", "wait", "load_ipython_extension"]
__version__ = "0.1.0"

F = TypeVar("F", bound=Callable[..., Any])

_started: List[Execution] = []


def _caller(depth: int) -> str:
    # sys._getframe, not inspect.stack(): the latter reads the source of every frame (~ms)
    frame = sys._getframe(depth)
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def execution(name: Optional[str] = None, session: Optional[str] = None, **options: Any) -> Execution:
    """A context manager tracking its block: a clean exit → ``Passive``; an exception → ``Execution
    crushed`` (the exception still propagates). Options as :class:`Execution` (``server``,
    ``capture="sys"|"fd"|None``, ``strict``, ``exit_wait``…)."""
    options.setdefault("description", _caller(2))
    return Execution(name, session, **options)


@overload
def track(func: F) -> F: ...
@overload
def track(name: Optional[str] = None, session: Optional[str] = None, **options: Any) -> Callable[[F], F]: ...


def track(name: Union[Optional[str], Callable[..., Any]] = None, session: Optional[str] = None, **options: Any) -> Any:
    """A decorator tracking each call of the function (``@exec_track.track`` or
    ``@exec_track.track("fit", session="sweep")``); the name defaults to the function's. For a
    coroutine function the execution is the awaited call; for a generator (sync or async) function,
    the iteration of what the call returns, from its first item to its end."""

    def decorate(func: F) -> F:
        label = name if isinstance(name, str) else func.__qualname__
        opts = {"description": f"{func.__module__}.{func.__qualname__}", **options}

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def awaited(*args: Any, **kwargs: Any) -> Any:
                with Execution(label, session, **opts):
                    return await func(*args, **kwargs)

            return awaited  # type: ignore[return-value]

        if inspect.isasyncgenfunction(func):

            @functools.wraps(func)
            async def async_iterated(*args: Any, **kwargs: Any) -> Any:
                with Execution(label, session, **opts):
                    async for item in func(*args, **kwargs):
                        yield item

            return async_iterated  # type: ignore[return-value]

        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def iterated(*args: Any, **kwargs: Any) -> Any:
                with Execution(label, session, **opts):
                    return (yield from func(*args, **kwargs))

            return iterated  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with Execution(label, session, **opts):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    if callable(name):
        func, name = name, None
        return decorate(func)  # type: ignore[arg-type]
    return decorate


def start(name: Optional[str] = None, session: Optional[str] = None, **options: Any) -> Execution:
    """Starts tracking for code that cannot use a block; end it with :func:`finish` (or ``ex.finish()``).
    A program that ends without it is recorded as ``Exec crushed`` (the client vanished)."""
    options.setdefault("description", _caller(2))
    ex = Execution(name, session, **options).begin()
    _started.append(ex)
    return ex


def finish(error: Optional[BaseException] = None) -> None:
    """Ends the execution most recently begun with :func:`start` (see :meth:`Execution.finish`)."""
    if _started:
        _started.pop().finish(error)


def wait(timeout: Optional[float] = None) -> bool:
    """Waits until the sidecars of ended executions have recorded everything: at most ``timeout``
    seconds, by default their ``exit_wait`` (what the interpreter's exit does anyway). True when all did."""
    return wait_delivering(timeout)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext exec_track``: adds the cell magic ``%%exec_track [name]``."""
    from ._ipython import register

    register(ipython)
