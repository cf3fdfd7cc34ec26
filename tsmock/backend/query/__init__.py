"""The Timestream Query service: SQL over the stored records, results and paging.

Importing this package is cheap: the SQL engine (sqlglot, DuckDB, pyarrow) is
loaded only by `tsmock.backend.query.engine_modules.load_engine`.

Modules, in the order a query passes them:

- ``service``: `QueryBackend`, the operations (Query, CancelQuery, PrepareQuery,
  DescribeEndpoints) and the entry points of scheduled queries (``run``,
  ``validate``).
- ``engine_modules``: ``load_engine``, the one importer of the engine.
- ``engine``: runs a statement in DuckDB and maps its errors to the service's.
- ``metadata``: SHOW DATABASES / TABLES / MEASURES and DESCRIBE.
- ``prepass``: Timestream's own tokens (durations, ``measure_value::<type>``,
  ``@scheduled_runtime``) before the parser; positions map back to the text sent.
- ``parsing``, ``translate``, ``naming``, ``typecheck``: Trino SQL to DuckDB SQL
  (syntax errors, tables, functions, ``_colN`` names, literal type errors).
- ``views``: the Arrow view of a table, cached per table generation.
- ``timeseries``: the interpolation functions.
- ``convert``: DuckDB types and Arrow values to `QueryResult`.
- ``result``, ``encoding``, ``paging``: results, their wire form, NextToken chains.
- ``errors``: ``QueryExecutionException`` (the rest are shared).

Known gaps of the dialect (each answers an error or is documented, never a
silently different result where it can be told apart): identifiers match
case-insensitively (DuckDB), so ``"Host"`` also finds ``host``; durations below a
microsecond (other than in ``bin`` and ``sequence``) are refused; interpolation
works on numeric series (values as DOUBLE); ``approx_percentile`` is the exact
discrete percentile and refuses weights and accuracy; ``derivative_linear``,
``integral_trapezoidal``, ``correlate_*`` and ``UNNEST ... WITH ORDINALITY`` are
not supported (ValidationException naming them); MAP results are refused;
``UNNEST`` of an array of arrays flattens it; the unobserved rules (order of
dimension columns, texts of some messages) follow docs/operations/query.md.
"""
