"""botocore's region data as amitui reads it: the same regions botocore's session gives,
without loading EC2's service model, kept in the cache directory for the next start."""

import stat

import botocore.session

from amitui.aws import region_data as rd


def test_the_regions_are_the_ones_botocore_gives_for_ec2_in_every_partition():
    session = botocore.session.get_session()
    data = rd.from_botocore()
    assert set(data.partitions) == set(session.get_available_partitions())
    for partition, regions in data.partitions.items():
        expected = session.get_available_regions("ec2", partition_name=partition)
        assert regions == tuple(sorted(expected)), partition
    assert {"us-east-1", "cn-north-1", "us-gov-west-1"} <= set(data.known())
    assert data.names["eu-central-1"] == "Europe (Frankfurt)"


def test_the_cache_file_gives_back_what_was_written_and_is_private(tmp_path):
    data = rd.from_botocore()
    path = tmp_path / "cache" / "regions.json"
    rd.write_cached(path, data)
    assert rd.read_cached(path) == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_missing_or_broken_cache_file_is_ignored(tmp_path):
    path = tmp_path / "regions.json"
    assert rd.read_cached(path) is None
    for text in ("", "{", "[]", '{"partitions": {}, "names": {}}', '{"partitions": 3}'):
        path.write_text(text)
        assert rd.read_cached(path) is None, text


def test_an_unwritable_cache_directory_is_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    rd.write_cached(blocker / "regions.json", rd.from_botocore())  # no exception


def test_the_cache_file_is_named_after_botocores_version(monkeypatch, tmp_path):
    monkeypatch.setenv("AMITUI_CACHE_DIR", str(tmp_path))
    assert rd.cache_file().parent == tmp_path
    assert botocore.__version__ in rd.cache_file().name
