"""botocore's region data: EC2's regions in each partition, and the regions' names.

botocore keeps them in one 1.2 MB JSON file (endpoints.json), and asking a botocore session
for a service's regions also loads that service's model (EC2's: several MB). Decoding them
holds the GIL for 40 to 400 ms, so the UI stalls whichever thread does it. So the file is read
at most once per process (the memo below), without the service model (the endpoint
resolver's own answer, the same as ``Session.get_available_regions``), and the few kB
amitui needs of it are kept in the cache directory, under botocore's version, for the
next start. The cache is disposable: a file that cannot be read or written is ignored.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from amitui import paths

#: EC2's endpoint prefix in botocore's endpoint data.
SERVICE = "ec2"


@dataclass(frozen=True, slots=True)
class RegionData:
    #: partition ("aws", "aws-cn", ...) -> the EC2 regions botocore lists there, sorted
    partitions: dict[str, tuple[str, ...]]
    #: region -> its human name ("Europe (Frankfurt)")
    names: dict[str, str]

    def known(self) -> tuple[str, ...]:
        """Every EC2 region of every partition, sorted."""
        return tuple(sorted({r for regions in self.partitions.values() for r in regions}))


def from_botocore() -> RegionData:
    """Read botocore's endpoint data (the slow part)."""
    import botocore.loaders  # only here: keeps importing this module cheap
    import botocore.regions

    data = botocore.loaders.create_loader().load_data("endpoints")
    resolver = botocore.regions.EndpointResolver(data)
    partitions = {
        name: tuple(sorted(resolver.get_available_endpoints(SERVICE, partition_name=name)))
        for name in resolver.get_available_partitions()
    }
    names: dict[str, str] = {}
    for partition in data.get("partitions", []):
        for region, info in partition.get("regions", {}).items():
            names[region] = info.get("description", "")
    return RegionData(partitions, names)


def cache_file() -> Path:
    import botocore  # the package only (its version): cheap

    return paths.cache_dir() / f"regions-botocore-{botocore.__version__}.json"


def read_cached(path: Path) -> RegionData | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        partitions = {str(p): tuple(str(r) for r in rs) for p, rs in raw["partitions"].items()}
        names = {str(r): str(n) for r, n in raw["names"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return RegionData(partitions, names) if partitions else None


def write_cached(path: Path, data: RegionData) -> None:
    text = json.dumps({"partitions": data.partitions, "names": data.names})
    try:
        paths.ensure_private_dir(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".regions-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:  # mkstemp: mode 0600
                out.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:  # a read-only or full disk: the next start reads botocore again
        pass


@functools.cache
def region_data() -> RegionData:
    """The region data, read once per process: from the cache file, else from botocore."""
    path = cache_file()
    data = read_cached(path)
    if data is None:
        data = from_botocore()
        write_cached(path, data)
    return data
