"""S3 asset store: staged outputs and saved, versioned assets under the organisation's prefix."""

from __future__ import annotations

from typing import Any

from flashfusion.storage import keys


class AssetStore:
    def __init__(self, s3: Any, bucket: str, staging_prefix: str = "staging") -> None:
        self.s3 = s3
        self.bucket = bucket
        self.staging_prefix = staging_prefix

    def stage(self, org_id: str, request_id: str, name: str, data: bytes, content_type: str) -> str:
        key = keys.staging_object_key(self.staging_prefix, org_id, request_id, name)
        self.s3.put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, ServerSideEncryption="AES256"
        )
        return key

    def stage_from(
        self, org_id: str, request_id: str, name: str, source_uri: str, content_type: str
    ) -> tuple[str, bytes]:
        """Stage an output a vendor wrote to S3 itself; only from this bucket's staging area of the org."""
        bucket, _, source_key = source_uri.removeprefix("s3://").partition("/")
        if bucket != self.bucket or not source_key.startswith(keys.staging_prefix_of(self.staging_prefix, org_id)):
            raise PermissionError(f"{source_uri} is not in organisation {org_id}'s staging area")
        data: bytes = self.s3.get_object(Bucket=bucket, Key=source_key)["Body"].read()
        return self.stage(org_id, request_id, name, data, content_type), data

    def read_staged(self, org_id: str, key: str) -> bytes:
        if not key.startswith(keys.staging_prefix_of(self.staging_prefix, org_id)):
            raise PermissionError(f"staged object {key!r} does not belong to organisation {org_id}")
        body: bytes = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body

    def read_staged_head(self, org_id: str, key: str, length: int) -> bytes:
        """The first ``length`` bytes of a staged object (a ranged GET: a file's signature, not the file)."""
        if not key.startswith(keys.staging_prefix_of(self.staging_prefix, org_id)):
            raise PermissionError(f"staged object {key!r} does not belong to organisation {org_id}")
        body: bytes = self.s3.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{length - 1}")["Body"].read()
        return body[:length]

    def put(self, org_id: str, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> None:
        """Store a finished version (keys come from storage.keys), only under the organisation's own prefix."""
        if not key.startswith(keys.asset_prefix_of(org_id)):
            raise PermissionError(f"{key!r} is not in organisation {org_id}'s assets")
        self.s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            Metadata=metadata,
            ServerSideEncryption="AES256",
        )

    def presigned_get(self, key: str, expires_seconds: int = 900) -> str:
        url: str = self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_seconds
        )
        return url

    def saved_size(self, org_id: str, key: str) -> int | None:
        """The size in bytes of a stored version under the organisation's own prefix, or None when the
        object is not there (a record whose file was removed)."""
        if not key.startswith(keys.asset_prefix_of(org_id)):
            raise PermissionError(f"{key!r} is not in organisation {org_id}'s assets")
        head = self._head(key)
        return None if head is None else int(head["ContentLength"])

    def _head(self, key: str) -> dict[str, Any] | None:
        """The object's metadata, or None when there is no object at ``key``."""
        try:
            head: dict[str, Any] = self.s3.head_object(Bucket=self.bucket, Key=key)
        except self.s3.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return head

    def presigned_put(self, key: str, content_type: str, expires_seconds: int = 900) -> str:
        url: str = self.s3.generate_presigned_url(
            "put_object",
            Params={"Bucket": self.bucket, "Key": key, "ContentType": content_type, "ServerSideEncryption": "AES256"},
            ExpiresIn=expires_seconds,
        )
        return url

    def presigned_post(
        self, key: str, content_type: str, max_bytes: int, expires_seconds: int = 300
    ) -> tuple[str, dict[str, str]]:
        """An HTML-form upload (S3 presigned POST) of one object: S3 itself refuses another key, another
        ``Content-Type``, no encryption, or a file outside 1..``max_bytes`` bytes. The URL and the form's fields."""
        fields = {"Content-Type": content_type, "x-amz-server-side-encryption": "AES256"}
        conditions: list[Any] = [
            {"Content-Type": content_type},
            {"x-amz-server-side-encryption": "AES256"},
            ["content-length-range", 1, max_bytes],
        ]
        post: dict[str, Any] = self.s3.generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires_seconds
        )
        return str(post["url"]), {str(k): str(v) for k, v in post["fields"].items()}

    def head_staged(self, org_id: str, key: str) -> dict[str, Any] | None:
        """An uploaded staged object's size and type, or None when nothing was uploaded there."""
        if not key.startswith(keys.staging_prefix_of(self.staging_prefix, org_id)):
            raise PermissionError(f"staged object {key!r} does not belong to organisation {org_id}")
        return self._head(key)

    def read_brand_file(self, org_id: str, key: str) -> bytes:
        """A brand kit's logo or font file: only from the organisation's own brand folder."""
        if not key.startswith(keys.brand_prefix_of(org_id)):
            raise PermissionError(f"{key!r} is not in organisation {org_id}'s brand folder")
        body: bytes = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body

    def put_brand_file(self, org_id: str, kit_id: str, name: str, data: bytes, content_type: str) -> str:
        key = keys.brand_file_key(org_id, kit_id, name)
        self.s3.put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, ServerSideEncryption="AES256"
        )
        return key

    def read(self, key: str) -> tuple[bytes, dict[str, str]]:
        response = self.s3.get_object(Bucket=self.bucket, Key=key)
        return response["Body"].read(), response.get("Metadata", {})
