"""Tests of ``collectors.pcap``: round trips, link types, pcapng, real-tool interop and fuzzing."""
