#!/usr/bin/env bash
# Regenerate the Python modules of the telemetry protos (JTI gRPC + native UDP, gNMI).
#
# The .proto files under collectors/jti/proto/ and collectors/gnmi/proto/ are the source; the
# generated *_pb2.py, *_pb2.pyi (mypy-protobuf) and *_pb2_grpc.py files are checked in beside
# them so that installing and testing need no code generator. Run from anywhere:
#
#   .venv/bin/pip install grpcio-tools mypy-protobuf
#   scripts/gen_protos.sh
#
# Paths are relative to the repository root (-I .), so generated modules import each other as
# collectors.jti.proto.<name>_pb2 and the descriptor pool sees unique file names.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
PLUGIN="${MYPY_PROTOBUF:-$(dirname "$PYTHON")/protoc-gen-mypy}"

for dir in collectors/jti/proto collectors/gnmi/proto; do
  rm -f "$dir"/*_pb2.py "$dir"/*_pb2.pyi "$dir"/*_pb2_grpc.py
  "$PYTHON" -m grpc_tools.protoc -I . \
    --python_out=. --grpc_python_out=. \
    --plugin=protoc-gen-mypy="$PLUGIN" --mypy_out=quiet:. \
    "$dir"/*.proto
  # Only files that define a service need their gRPC module.
  for grpc_module in "$dir"/*_pb2_grpc.py; do
    grep -q "class .*Servicer" "$grpc_module" || rm -f "$grpc_module"
  done
done
echo "generated: $(ls collectors/jti/proto/*_pb2*.py* collectors/gnmi/proto/*_pb2*.py* | wc -l) files"
