"""Messages that carry results from thread workers up to the screens (never widget calls)."""

from __future__ import annotations

from textual.message import Message

from amitui.aws.clients import Identity
from amitui.aws.images import Image


class IdentityLoaded(Message):
    def __init__(self, identity: Identity | None, error: str | None = None) -> None:
        super().__init__()
        self.identity = identity
        self.error = error


class ImagesPageLoaded(Message):
    def __init__(self, generation: int, region: str, images: list[Image], page: int) -> None:
        super().__init__()
        self.generation = generation
        self.region = region
        self.images = images
        self.page = page


class ListingFinished(Message):
    def __init__(self, generation: int, region: str, error: str | None = None) -> None:
        super().__init__()
        self.generation = generation
        self.region = region
        self.error = error


class ImagesChanged(Message):
    """Images that appeared or changed (a new pending copy, a finished task)."""

    def __init__(self, images: list[Image]) -> None:
        super().__init__()
        self.images = images


class CachedImagesLoaded(Message):
    """A chunk of the inventory cache's images of a listing (read in a worker): ``first``,
    the cached listing's first (``total``: the images it holds), else one more; ``failed``:
    the cached listing turned out damaged (no images: drop those shown)."""

    def __init__(
        self,
        generation: int,
        images: list[Image],
        saved_at: float,
        *,
        total: int | None = None,
        first: bool = True,
        failed: bool = False,
    ) -> None:
        super().__init__()
        self.generation = generation
        self.images = images
        self.saved_at = saved_at
        self.total = total
        self.first = first
        self.failed = failed


class ImagesRestored(Message):
    """Images came back (from the Recycle Bin): the inventory reads and shows them."""

    def __init__(self, region: str, image_ids: list[str]) -> None:
        super().__init__()
        self.region = region
        self.image_ids = image_ids


class AccountsResolved(Message):
    """--accounts: the account set was read (``error``: it could not be)."""

    def __init__(self, error: str | None) -> None:
        super().__init__()
        self.error = error
