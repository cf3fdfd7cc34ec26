"""The Timestream Query service: SQL over the stored records, results and paging.

Importing this package is cheap: the SQL engine (sqlglot, DuckDB, pyarrow) is
loaded only by `tsmock.backend.query.engine_modules.load_engine`.
"""
