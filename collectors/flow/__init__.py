"""jflow (NetFlow v5, NetFlow v9, IPFIX) codec: bytes ↔ ``flows``/``flow_options`` Arrow tables.

Sans-IO: no sockets, files (except the explicit state file helpers) or clocks. The decoder takes
datagrams with their exporter address and receive time plus explicit ``DecoderState`` and returns
Arrow tables that fit ``collectors.tables.FLOWS`` / ``FLOW_OPTIONS`` (``device`` and ``site`` are
left null for the listener to fill), rejects and counters. Modules:

``ies`` element registry · ``templates`` templates, dtypes, cache · ``datasets`` record framing ·
``columns`` whole-array conversions · ``flows`` FLOWS rows · ``options`` options records and
sampling · ``sequence`` loss accounting · ``held`` data waiting for templates · ``state`` state
and its file · ``decode`` the decoder · ``encode`` the encoders.
"""

from collectors.flow.decode import (
    Counters,
    DecodeResult,
    FlowDecoder,
    Rejected,
    SequenceStatus,
)
from collectors.flow.encode import FieldSpec, IpfixEncoder, V9Encoder, field_spec
from collectors.flow.held import HeldCount
from collectors.flow.state import DecoderState, StateFileError, load_state, save_state
from collectors.flow.templates import Field, Template, TemplateCache

__all__ = [
    "Counters",
    "DecodeResult",
    "DecoderState",
    "Field",
    "FieldSpec",
    "FlowDecoder",
    "HeldCount",
    "IpfixEncoder",
    "Rejected",
    "SequenceStatus",
    "StateFileError",
    "Template",
    "TemplateCache",
    "V9Encoder",
    "field_spec",
    "load_state",
    "save_state",
]
