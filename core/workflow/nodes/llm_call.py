"""Calling the model for llm / parameter-extractor / question-classifier nodes (streamed, cancellable).

The stream is read by a helper thread (a greenlet under gevent) feeding a queue, so a stop is
honoured within ``stop_poll_interval`` even while the upstream has not sent its first byte.
"""
import queue
import threading

from core.llm import LLMError, stream_chat
from core.workflow.errors import NodeError
from core.workflow.node_api import NodeRun

_END = object()


def complete(node: NodeRun, messages: list[dict], stream_output: str | None = None) -> tuple[str, dict, str | None]:
    """Stream a completion; returns (text, usage dict, finish_reason).

    Each token is offered to answer streaming as ``[node_id, stream_output]`` when that is set.
    Raises NodeError on model errors and RunAborted when stopped/cancelled (the stream is closed).
    """
    stream = stream_chat(settings_for(node), messages)
    deltas: queue.Queue = queue.Queue()
    threading.Thread(target=_pump, args=(stream, deltas), name="workflow-llm", daemon=True).start()
    try:
        with node.on_cancel(stream.close):
            _consume(node, deltas, stream_output)
    finally:
        stream.close()
    node.checkpoint()
    return stream.text, stream.usage.to_dict(), stream.finish_reason


def _pump(stream, deltas: queue.Queue) -> None:
    """Move deltas (then _END, or the error) from the stream to the queue."""
    try:
        for delta in stream:
            deltas.put(delta)
        deltas.put(_END)
    except Exception as exc:  # handed over to the consuming thread, which decides
        deltas.put(exc)
    finally:
        stream.close()


def _consume(node: NodeRun, deltas: queue.Queue, stream_output: str | None) -> None:
    while not node.cancelled():
        try:
            item = deltas.get(timeout=node.limits.stop_poll_interval)
        except queue.Empty:
            continue
        if item is _END:
            return
        if isinstance(item, LLMError):
            raise NodeError(item.message, type(item).__name__) from item
        if isinstance(item, Exception):
            raise NodeError(f"{type(item).__name__}: {item}", type(item).__name__) from item
        if stream_output:
            node.stream_chunk(stream_output, item.text)


def settings_for(node: NodeRun):
    """ProviderSettings for this node's ``model`` block. Raises NodeError when no provider is available."""
    if node.ctx.llm_settings_for is None:
        raise NodeError("No model provider is configured for this workflow", "ModelNotConfigured")
    try:
        return node.ctx.llm_settings_for(node.data)
    except LLMError as exc:
        raise NodeError(exc.message, type(exc).__name__) from exc


def model_info(node: NodeRun) -> dict:
    """The node's declared model (provider, name, mode) for process_data."""
    model = node.data.get("model") or {}
    return {"model_provider": model.get("provider"), "model_name": model.get("name"), "model_mode": model.get("mode")}
