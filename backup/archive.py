"""One archive holds everything the system keeps: the database (projects, arrivals, users,
history, bulletins with their PDF and Excel) and the uploaded files under MEDIA_ROOT (evidence
of arrived capital, import files). `create_backup` writes it, `restore_backup` puts it back.

The archive (.tar.gz): `manifest.json` (when, which engine, the rows of every table, each
file's SHA-256), `database.dump` (PostgreSQL, pg_dump's custom format) or `database.sqlite3`,
and `media/…`. A restore checks every file against the manifest before it touches anything,
and the restored database's rows against it afterwards.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from . import databases
from .databases import ENGINE_LABELS, BackupError

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
CHUNK = 1024 * 1024


class RestoreRefused(BackupError):
    """The database or the media folder already holds data and `force` was not given."""


@dataclasses.dataclass(frozen=True)
class Manifest:
    created_at: str
    engine: str
    database: str
    tables: dict[str, int]
    files: dict[str, str]  # path under MEDIA_ROOT → SHA-256
    format: int = FORMAT

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def create_backup(path: Path, *, connection: BaseDatabaseWrapper, media_root: Path) -> Manifest:
    """Write the archive to `path`, readable by its owner only; an existing file is never overwritten."""
    path, media_root = Path(path), Path(media_root)
    if path.exists():
        raise BackupError(f"{path} 已存在，不覆盖；请换一个文件名。")
    if not path.parent.is_dir():
        raise BackupError(f"文件夹 {path.parent} 不存在，请先建好。")
    if path.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(f"备份文件不能放在上传文件的文件夹 {media_root} 里（下次备份会把它也装进去）。")
    databases.engine(connection)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix="backup-") as folder:
            database, tables = databases.dump(connection, Path(folder))
            with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as output:
                with tarfile.open(fileobj=output, mode="w:gz") as archive:
                    archive.add(Path(folder) / database, arcname=database)
                    files = {name: _add_hashed(archive, file, f"{MEDIA}/{name}") for name, file in _media_files(media_root)}
                    manifest = Manifest(timezone.localtime().isoformat(), connection.vendor, database, tables, files)
                    _add_bytes(archive, MANIFEST, json.dumps(dataclasses.asdict(manifest), ensure_ascii=False, indent=1))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def restore_backup(path: Path, *, connection: BaseDatabaseWrapper, media_root: Path, force: bool = False) -> Manifest:
    """Put the archive at `path` back: the database `connection` reaches and the files under
    `media_root`. Refused while either holds data, unless `force` (then the database's tables
    are replaced; files of the archive overwrite those of the same name, others stay)."""
    media_root = Path(media_root)
    engine = databases.engine(connection)
    with tempfile.TemporaryDirectory(prefix="restore-") as folder:
        manifest = _unpack(Path(path), Path(folder))
        if manifest.engine != engine:
            raise BackupError(
                f"这份备份来自 {ENGINE_LABELS[manifest.engine]} 数据库，当前使用的是 {ENGINE_LABELS[engine]}，"
                "不能直接恢复；请在同一种数据库上恢复。"
            )
        occupied = _occupied(connection, media_root)
        if occupied and not force:
            raise RestoreRefused(
                f"目标不是空的：{'；'.join(occupied)}。恢复会用备份替换数据库中的全部数据。"
                "确认要替换，请加 --force 重新运行（建议先备份当前数据）。"
            )
        databases.load(connection, Path(folder) / manifest.database, replace=bool(occupied))
        restored = databases.table_rows(connection)
        if restored != manifest.tables:
            differ = sorted(t for t in set(restored) | set(manifest.tables) if restored.get(t) != manifest.tables.get(t))
            raise BackupError(f"恢复后的数据与备份记录的行数不符（{'、'.join(differ[:10])}），请检查数据库。")
        for name in manifest.files:
            target = media_root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(folder) / MEDIA / name, target)
    return manifest


# --- Writing -------------------------------------------------------------------------------


def _media_files(media_root: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file under `media_root` (symbolic links are not followed), by its path there."""
    if not media_root.is_dir():
        return
    for folder, subfolders, names in os.walk(media_root):
        subfolders.sort()
        for name in sorted(names):
            file = Path(folder) / name
            if file.is_file() and not file.is_symlink():
                yield file.relative_to(media_root).as_posix(), file


class _Hashing:
    """A file read through this is hashed as it goes into the archive: the checksum is that of
    the bytes stored, even if the file changes meanwhile."""

    def __init__(self, file):
        self.file, self.sha256 = file, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.sha256.update(data)
        return data


def _add_hashed(archive: tarfile.TarFile, file: Path, name: str) -> str:
    info = archive.gettarinfo(file, arcname=name)
    with file.open("rb") as opened:
        reader = _Hashing(opened)
        archive.addfile(info, reader)
    return reader.sha256.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
    archive.addfile(info, io.BytesIO(data))


# --- Reading -------------------------------------------------------------------------------


def _unpack(path: Path, folder: Path) -> Manifest:
    """Extract the archive into `folder` member by member, to paths this code chooses (never
    one the archive names outside it), and check it against its manifest."""
    hashes = {}
    try:
        with tarfile.open(path, mode="r:*") as archive:
            for member in archive:
                name = _member_name(member)
                target = folder.joinpath(*PurePosixPath(name).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with archive.extractfile(member) as source, target.open("wb") as output:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        output.write(chunk)
                hashes[name] = digest.hexdigest()
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件 {path}。") from None
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(f"{path} 不是完整的备份文件（{error}）。") from None
    manifest = _manifest(folder / MANIFEST)
    media = {name.removeprefix(f"{MEDIA}/"): digest for name, digest in hashes.items() if name.startswith(f"{MEDIA}/")}
    if manifest.database not in hashes or media != manifest.files:
        raise BackupError("备份文件已损坏：其中的文件与清单（manifest.json）不符，未恢复任何内容。")
    return manifest


def _member_name(member: tarfile.TarInfo) -> str:
    name = PurePosixPath(member.name)
    allowed = member.name in (MANIFEST, *databases.DUMP_NAMES.values()) or (
        name.parts[:1] == (MEDIA,) and len(name.parts) > 1 and ".." not in name.parts and not name.is_absolute()
    )
    if not (member.isfile() and allowed):
        raise BackupError(f"备份文件中有不该有的内容（{member.name}），未恢复任何内容。")
    return member.name


def _manifest(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text())
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        raise BackupError("这不是本系统的备份文件：缺少可读的清单（manifest.json）。") from None
    if manifest.format != FORMAT or databases.DUMP_NAMES.get(manifest.engine) != manifest.database:
        raise BackupError(f"备份格式（{manifest.format}）不是本系统能读的格式（{FORMAT}）。")
    return manifest


def _occupied(connection: BaseDatabaseWrapper, media_root: Path) -> list[str]:
    """What restoring would replace, in words; empty when both the database and the folder are empty."""
    found = []
    tables = databases.table_rows(connection)
    if tables:
        found.append(f"数据库中已有 {len(tables)} 张数据表（共 {sum(tables.values())} 行数据）")
    files = sum(1 for _ in _media_files(media_root))
    if files:
        found.append(f"文件夹 {media_root} 中已有 {files} 个文件")
    return found
