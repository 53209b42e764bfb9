import pytest

from amitui.settings import SettingsError, build_settings


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults(tmp_path):
    s = build_settings({}, env={}, config_path=tmp_path / "none.toml")
    assert s.regions == ("us-east-1",) and s.owners == ("self",) and not s.read_only


def test_a_defaulted_region_is_flagged_and_a_chosen_one_is_not(tmp_path):
    none = tmp_path / "none.toml"
    assert build_settings({}, env={}, config_path=none).region_defaulted
    for chosen in (
        build_settings({"regions": ["us-east-1"]}, env={}, config_path=none),
        build_settings({}, env={"AWS_REGION": "us-east-1"}, config_path=none),
        build_settings({}, env={"AWS_DEFAULT_REGION": "eu-west-1"}, config_path=none),
        build_settings({}, env={}, config_path=write(tmp_path, 'regions = ["us-east-1"]')),
    ):
        assert not chosen.region_defaulted


def test_flags_beat_env_beat_config(tmp_path):
    cfg = write(tmp_path, 'profile = "cfg"\nregions = ["ap-southeast-2"]\nread_only = true\n')
    env = {"AWS_PROFILE": "envp", "AWS_DEFAULT_REGION": "eu-west-1"}
    s = build_settings({}, env=env, config_path=cfg)
    assert (s.profile, s.regions, s.read_only) == ("envp", ("eu-west-1",), True)
    s = build_settings(
        {"profile": "flag", "regions": ["us-west-2", "us-east-1"]}, env=env, config_path=cfg
    )
    assert s.profile == "flag" and s.regions == ("us-west-2", "us-east-1")


def test_aws_region_wins_over_default_region_and_endpoint_env(tmp_path):
    env = {
        "AWS_REGION": "eu-central-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": "http://generic",
        "AWS_ENDPOINT_URL_EC2": "http://ec2-only",
    }
    s = build_settings({}, env=env, config_path=tmp_path / "x.toml")
    assert s.region == "eu-central-1" and s.endpoint_url == "http://ec2-only"


@pytest.mark.parametrize(
    "text",
    [
        'read_only = "yes"',
        "page_size = 2000",
        'listing = "fast"',
        "poll_interval = -1",
        'colour = "red"',
        "regions = [1]",
        "not toml =",
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, text):
    with pytest.raises(SettingsError):
        build_settings({}, env={}, config_path=write(tmp_path, text))


def test_listing_is_auto_unless_config_or_flag_say_otherwise(tmp_path):
    none = tmp_path / "none.toml"
    assert build_settings({}, env={}, config_path=none).listing == "auto"
    paged = write(tmp_path, 'listing = "paged"')
    assert build_settings({}, env={}, config_path=paged).listing == "paged"
    flag = build_settings({"listing": "partitioned"}, env={}, config_path=paged)
    assert flag.listing == "partitioned"


def test_the_listing_flag_reaches_the_settings_and_help():
    from amitui.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["--listing", "paged"]).listing == "paged"
    assert parser.parse_args([]).listing is None  # not given: config or default decide
    with pytest.raises(SystemExit):
        parser.parse_args(["--listing", "fast"])
    assert 'listing              "auto"' in parser.epilog


def test_version_depth_covers_every_version_unless_set_and_is_checked(tmp_path):
    assert build_settings({}, env={}, config_path=tmp_path / "none.toml").version_depth == 10000
    set_to = build_settings({}, env={}, config_path=write(tmp_path, "version_depth = 20"))
    assert set_to.version_depth == 20
    for bad in ("0", "10001", '"20"', "true"):
        with pytest.raises(SettingsError, match="version_depth"):
            build_settings({}, env={}, config_path=write(tmp_path, f"version_depth = {bad}"))
