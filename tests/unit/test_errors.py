from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
    UnauthorizedSSOTokenError,
)

from amitui.aws.clients import ReadOnlyError
from amitui.aws.errors import describe_error


def client_error(code, message):
    return ClientError({"Error": {"Code": code, "Message": message}}, "DescribeImages")


def test_client_error_shows_code_and_message():
    line = describe_error(
        client_error("InvalidAMIID.NotFound", "The image id '[ami-1]' does not exist")
    )
    assert line == "InvalidAMIID.NotFound: The image id '[ami-1]' does not exist"


def test_hints_for_known_codes_name_the_profile():
    line = describe_error(client_error("ExpiredToken", "token expired"), profile="prod")
    assert "ExpiredToken" in line and "--profile prod" in line


def test_no_credentials_points_at_the_fixes():
    line = describe_error(NoCredentialsError(), profile="dev")
    assert "aws sso login --profile dev" in line and "amitui --demo" in line


def test_sso_token():
    assert "aws sso login --profile x" in describe_error(UnauthorizedSSOTokenError(), profile="x")


def test_unreachable_endpoint_and_timeout_are_one_line():
    line = describe_error(EndpointConnectionError(endpoint_url="http://127.0.0.1:9"))
    assert "http://127.0.0.1:9" in line and "\n" not in line
    line = describe_error(ReadTimeoutError(endpoint_url="http://x"))
    assert "Timed out" in line and "\n" not in line


def test_read_only():
    assert "read-only" in describe_error(ReadOnlyError("CopyImage"))
