"""Writes Tests/LabTests/Fixtures/reference.tfevents with TensorBoard's own record writer.

The events are the ones TensorBoardWriterTests feeds to Betti's writer (same wall times,
steps, tags and values), so the two files must match byte for byte. Run once, in a scratch
venv with `pip install tensorboard` (made with tensorboard 2.21.0):

    python scripts/make_tensorboard_fixture.py Tests/LabTests/Fixtures/reference.tfevents
"""

import math
import sys

from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer.record_writer import RecordWriter


def scalars(step, wall_time, values):
    summary = summary_pb2.Summary(
        value=[summary_pb2.Summary.Value(tag=tag, simple_value=value) for tag, value in values]
    )
    return event_pb2.Event(wall_time=wall_time, step=step, summary=summary)


EVENTS = [
    event_pb2.Event(wall_time=1700000000.5, file_version="brain.Event:2"),
    # MetricsRow(step: 0, values: ["val_loss": log(7), "lr": 0]); tags sorted
    scalars(0, 1700000001.25, [("loss/val", math.log(7.0)), ("lr", 0.0)]),
    # MetricsRow(step: 1, …)
    scalars(
        1,
        1700000002.0,
        [
            ("grad_norm/clipped", 1.0),
            ("loss/train", 2.5),
            ("lr", 0.001),
            ("progress/tokens_per_s", 12345.678),
            ("topology/L0H1/h0_bars", 3.0),
        ],
    ),
    # Probe rows at steps 1 and 300, appended together: one event per step, same wall time
    scalars(
        1,
        1700000003.75,
        [("attention/L0H1/entropy_bits", 1.5), ("grad_norm/h.0.attn.c_attn.weight", 0.25)],
    ),
    scalars(300, 1700000003.75, [("sphere/action", -0.125)]),
    # MetricsRow(step: 2^33, …): a multi-byte step, NaN and infinities, a Float underflow
    scalars(
        2**33,
        1700000004.5,
        [
            ("loss/train", math.inf),
            ("loss/val", math.nan),
            ("metrics/custom", 1e-50),
            ("progress/elapsed_s", -math.inf),
        ],
    ),
]

if __name__ == "__main__":
    with open(sys.argv[1], "wb") as f:
        writer = RecordWriter(f)
        for event in EVENTS:
            writer.write(event.SerializeToString())
