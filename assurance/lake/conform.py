"""Make a batch fit its table's declared schema, or say exactly why it does not.

Batches already in the declared schema pass at the cost of a null-count check. Otherwise columns
are reordered, missing nullable columns are filled with nulls and types are cast when the cast is
lossless; unknown columns, lossy casts and nulls in required columns raise ``SchemaMismatch``.
"""

from __future__ import annotations

import pyarrow as pa

from assurance.errors import SchemaMismatch
from collectors.schema import TableSpec


def conform(spec: TableSpec, batch: pa.RecordBatch | pa.Table) -> pa.Table:
    rows = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    schema = spec.schema
    if not rows.schema.equals(schema, check_metadata=False):
        rows = _reshape(spec, rows)
    for column in spec.columns:
        if not column.nullable and rows.column(column.name).null_count:
            raise SchemaMismatch(f"{spec.name}.{column.name} is required but has nulls")
    return rows.replace_schema_metadata(schema.metadata).cast(schema)


def _reshape(spec: TableSpec, rows: pa.Table) -> pa.Table:
    unknown = [name for name in rows.column_names if not spec.has_column(name)]
    if unknown:
        raise SchemaMismatch(f"{spec.name}: unknown column(s) {', '.join(unknown)}")
    arrays: list[pa.ChunkedArray | pa.Array] = []
    for column in spec.columns:
        if column.name not in rows.column_names:
            if not column.nullable:
                raise SchemaMismatch(f"{spec.name}.{column.name} is required but missing")
            arrays.append(pa.nulls(rows.num_rows, column.type))
            continue
        values = rows.column(column.name)
        if values.type != column.type:
            try:
                values = values.cast(column.type, safe=True)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise SchemaMismatch(
                    f"{spec.name}.{column.name}: cannot store {values.type} as {column.type}: {exc}"
                ) from exc
        arrays.append(values)
    return pa.Table.from_arrays(arrays, schema=spec.schema)
