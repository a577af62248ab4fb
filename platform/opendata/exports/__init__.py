"""The open-data files, written row by row to a binary file.

Each writer reads the database in chunks (``iterator(chunk_size=...)``) and writes as it
goes, so 100,000 contracts take constant memory. Nothing here reads a beneficiary: the
register's rows carry the need's title (checked for identity when the need was written),
its category and the county it is in, never the township, the summary or any free text
of the contract; OCDS leaves out the reasons for amendments and termination for the
same reason.

One module per kind of file: ``register`` (CSV and JSON), ``ocds`` and ``hsds`` (the
directory), over ``common``. The names callers use are re-exported here.
"""

from opendata.exports.common import CHUNK, CURRENCY
from opendata.exports.hsds import HSDS_TABLES, hsds_services, hsds_tables, write_hsds_json, write_hsds_zip
from opendata.exports.ocds import (
    CATEGORY_SCHEME,
    CONTRACT_STATUS,
    MILESTONE_STATUS,
    ORGANISATION_SCHEME,
    ocds_contracts,
    ocds_package,
    ocds_package_head,
    ocds_release,
    ocid,
    write_ocds,
)
from opendata.exports.register import register_rows, write_register_csv, write_register_json

__all__ = [
    "CATEGORY_SCHEME",
    "CHUNK",
    "CONTRACT_STATUS",
    "CURRENCY",
    "HSDS_TABLES",
    "MILESTONE_STATUS",
    "ORGANISATION_SCHEME",
    "hsds_services",
    "hsds_tables",
    "ocds_contracts",
    "ocds_package",
    "ocds_package_head",
    "ocds_release",
    "ocid",
    "register_rows",
    "write_hsds_json",
    "write_hsds_zip",
    "write_ocds",
    "write_register_csv",
    "write_register_json",
]
