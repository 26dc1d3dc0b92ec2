"""
Loading the image data sets stored as memories (MNIST, CIFAR-10, any ``.npz``).

Every loader returns the images as one float32 array of shape (n, N_v) with
values in [0, 1], the integer labels and a small ``info`` dict. The
preprocessing is the one of Section 3.2 of the paper: pixel values are
divided by 255 and each image is flattened to a vector of N_v visible
neurons (784 for MNIST, 3072 = 3 x 32 x 32 for CIFAR-10).

Files are looked up in the data folder given by `data_directory`. MNIST is
the ``mnist.npz`` file (``x_train``, ``y_train``, ``x_test``, ``y_test``,
uint8). CIFAR-10 is the official python archive ``cifar-10-python.tar.gz``
or its extracted folder ``cifar-10-batches-py``; its batch files are
Python pickles, of which only the six known batch files are read, with an
unpickler that builds nothing but NumPy arrays and plain containers.
"""

import codecs
import io
import os
import pickle
import tarfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .io import read_npz
from .validation import BioamError

__all__ = ["DATA_DIR", "DATA_DIR_VARIABLE", "data_directory", "load_dataset", "dataset_files",
           "DATASETS"]

#: Environment variable naming the data folder.
DATA_DIR_VARIABLE = "BIOAM_DATA_DIR"

#: Data folder set from Python (``bioam.datasets.DATA_DIR = '/my/data'``);
#: when not None it is used before the environment variable.
DATA_DIR = None

#: The data sets known by name, with a one-line description.
DATASETS = {
    "mnist": "MNIST handwritten digits, 28 x 28 grey levels, N_v = 784 (mnist.npz)",
    "cifar10": "CIFAR-10 colour images, 3 x 32 x 32, N_v = 3072 (cifar-10-python.tar.gz)",
}

_SPLITS = ("train", "test")
_MNIST_FILE = "mnist.npz"
_CIFAR_ARCHIVE = "cifar-10-python.tar.gz"
_CIFAR_FOLDER = "cifar-10-batches-py"
_CIFAR_BATCHES = {
    "train": [f"data_batch_{number}" for number in range(1, 6)],
    "test": ["test_batch"],
}
_CIFAR_IMAGE_SHAPE = (3, 32, 32)
_HOW_TO_SET = (
    f"set the environment variable {DATA_DIR_VARIABLE} (or bioam.datasets.DATA_DIR) "
    "to the folder that holds it"
)


def data_directory():
    """
    The folder the data sets are read from.

    In order of precedence: the module setting `DATA_DIR` when not None, the
    environment variable ``BIOAM_DATA_DIR`` when set, else the folder
    ``shared/data`` next to the repository checkout.

    Returns
    -------
    Path
    """
    if DATA_DIR is not None:
        return Path(DATA_DIR)
    from_environment = os.environ.get(DATA_DIR_VARIABLE)
    if from_environment:
        return Path(from_environment)
    import bioam

    return Path(bioam.__file__).resolve().parents[2] / "shared" / "data"


def load_dataset(name_or_path, split="train", data_dir=None, limit=None):
    """
    Load a data set as flattened images in [0, 1] and their labels.

    Parameters
    ----------
    name_or_path : str or Path
        ``'mnist'``, ``'cifar10'`` or the path of an ``.npz`` file with the
        arrays ``x_train``, ``y_train``, ``x_test``, ``y_test`` laid out like
        ``mnist.npz``: images of any shape (n, ...) as uint8 (0..255) or as
        floats already in [0, 1], labels as integers of shape (n,).
    split : {'train', 'test'}
    data_dir : str or Path, optional
        Folder of the named data sets; default `data_directory()`.
    limit : int, optional
        Keep only the first ``limit`` images (in file order).

    Returns
    -------
    images : ndarray of float32, shape (n, N_v)
        uint8 pixels divided by 255 (float files are kept as they are). Each
        image is flattened in row-major (C) order of its stored shape; for
        CIFAR-10 this is the official channel-major order, the 1024 red values,
        then the 1024 green, then the 1024 blue, each image row by row.
    labels : ndarray of int64, shape (n,)
    info : dict
        ``name``, ``path``, ``split``, ``n_images``, ``n_visible``,
        ``image_shape`` (the shape of one image before flattening) and
        ``preprocessing`` (a sentence).

    Raises
    ------
    BioamError
        When the file is missing, corrupt, or holds arrays of the wrong shape,
        type or range.
    """
    if split not in _SPLITS:
        raise BioamError(f"split must be 'train' or 'test', got {split!r}")
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
            raise BioamError(f"limit must be a positive whole number of images, got {limit!r}")
        limit = int(limit)
    folder = Path(data_dir) if data_dir is not None else data_directory()
    name = os.fspath(name_or_path)
    if name.lower() == "mnist":
        path = folder / _MNIST_FILE
        if not path.exists():
            raise BioamError(
                f"MNIST file {os.fspath(path)!r} not found; put {_MNIST_FILE} there or "
                f"{_HOW_TO_SET}"
            )
        images, labels, image_shape = _read_npz_split(path, split, limit)
        dataset = "mnist"
    elif name.lower() in ("cifar10", "cifar-10"):
        images, labels, image_shape, path = _read_cifar10(folder, split, limit)
        dataset = "cifar10"
    else:
        path = Path(name)
        if not path.exists():
            raise BioamError(
                f"unknown data set {name!r}: not one of {sorted(DATASETS)} and no such "
                "file; give a known name or the path of an .npz file"
            )
        images, labels, image_shape = _read_npz_split(path, split, limit)
        dataset = path.stem
    info = {
        "name": dataset,
        "path": os.fspath(path),
        "split": split,
        "n_images": int(images.shape[0]),
        "n_visible": int(images.shape[1]),
        "image_shape": tuple(int(size) for size in image_shape),
        "preprocessing": (
            "uint8 pixels divided by 255 (float pixels kept, checked to lie in [0, 1]); "
            "each image flattened in row-major order of its stored shape"
        ),
    }
    return images, labels, info


def dataset_files(name_or_path, data_dir=None):
    """
    The files `load_dataset` reads for a data set, whether they exist or not.

    Used to refuse an output path that would overwrite a data set before any work.

    Parameters
    ----------
    name_or_path : str or Path
    data_dir : str or Path, optional

    Returns
    -------
    list of str

    Examples
    --------
    >>> dataset_files('images.npz')
    ['images.npz']
    """
    folder = Path(data_dir) if data_dir is not None else data_directory()
    name = os.fspath(name_or_path)
    if name.lower() == "mnist":
        return [os.fspath(folder / _MNIST_FILE)]
    if name.lower() in ("cifar10", "cifar-10"):
        batches = [batch for split in _SPLITS for batch in _CIFAR_BATCHES[split]]
        return [os.fspath(folder / _CIFAR_ARCHIVE)] + [
            os.fspath(folder / _CIFAR_FOLDER / batch) for batch in batches]
    return [name]


def _read_npz_split(path, split, limit):
    """Images and labels of one split of an .npz file laid out like mnist.npz."""
    image_key, label_key = f"x_{split}", f"y_{split}"
    _check_is_zip(path, "data set file")
    arrays = read_npz(path, required=(image_key, label_key), what="data set file")
    where = f"data set file {os.fspath(path)!r}"
    images, labels = arrays[image_key], arrays[label_key]
    if images.ndim < 2 or images.shape[0] < 1 or images[0].size < 1:
        raise BioamError(
            f"{where}: {image_key} must have shape (n_images, ...) with at least one "
            f"non-empty image, got shape {images.shape}"
        )
    labels = _check_labels(where, label_key, labels, images.shape[0], image_key)
    if limit is not None:
        _check_limit(where, split, limit, images.shape[0])
        images, labels = images[:limit], labels[:limit]
    flat = images.reshape(images.shape[0], -1)
    return _scale_pixels(where, image_key, flat), labels, images.shape[1:]


def _check_limit(where, split, limit, n_images):
    """Refuse a limit above the number of images (it would quietly use fewer)."""
    if limit > n_images:
        raise BioamError(f"{where} has {n_images} {split} images, fewer than the limit "
                         f"{limit}; give a limit of at most {n_images} (or none for all)")


def _check_is_zip(path, what):
    """An .npz file is a zip archive; anything else is reported as corrupt."""
    if os.path.isfile(path) and not zipfile.is_zipfile(path):
        raise BioamError(
            f"{what} {os.fspath(path)!r} is corrupt or not an .npz file (no zip archive); "
            "write it again with numpy.savez"
        )


def _check_labels(where, label_key, labels, n_images, image_key):
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise BioamError(
            f"{where}: {label_key} must be a 1-D array of integer labels, got "
            f"{labels.dtype} of shape {labels.shape}"
        )
    if labels.shape[0] != n_images:
        raise BioamError(
            f"{where}: {label_key} has {labels.shape[0]} labels but {image_key} has "
            f"{n_images} images; give one label per image"
        )
    return labels.astype(np.int64)


def _scale_pixels(where, key, flat):
    """uint8 -> float32 / 255; float -> float32 after a finite and [0, 1] check."""
    if flat.dtype == np.uint8:
        return flat.astype(np.float32) / np.float32(255.0)
    if not np.issubdtype(flat.dtype, np.floating):
        raise BioamError(
            f"{where}: {key} has dtype {flat.dtype}; store uint8 pixels (0..255) or "
            "floats in [0, 1]"
        )
    n_bad = int(flat.size - np.count_nonzero(np.isfinite(flat)))
    if n_bad:
        raise BioamError(
            f"{where}: {key} contains {n_bad} NaN or infinite value(s); replace them "
            "with pixel values in [0, 1]"
        )
    low, high = float(flat.min()), float(flat.max())
    if low < 0.0 or high > 1.0:
        raise BioamError(
            f"{where}: {key} has values in [{low:g}, {high:g}], outside [0, 1]; scale "
            "float images to [0, 1] or store uint8 pixels"
        )
    return np.ascontiguousarray(flat, dtype=np.float32)


class _ArrayUnpickler(pickle.Unpickler):
    """An unpickler that can build NumPy arrays and plain containers only."""

    _MULTIARRAY = getattr(np, "_core", None) or np.core
    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): _MULTIARRAY.multiarray._reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): _MULTIARRAY.multiarray._reconstruct,
        ("numpy.core.multiarray", "scalar"): _MULTIARRAY.multiarray.scalar,
        ("numpy._core.multiarray", "scalar"): _MULTIARRAY.multiarray.scalar,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): codecs.encode,  # bytes in protocol-2 pickles written by Python 3
    }

    def find_class(self, module, name):
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}") from None


def _unpickle_batch(stream, where):
    """Read one CIFAR-10 batch (a dict with b'data' and b'labels') and check it."""
    try:
        batch = _ArrayUnpickler(stream, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, KeyError, OSError, zlib.error, tarfile.TarError) as error:
        raise BioamError(f"{where} is corrupt or not a CIFAR-10 batch ({error})") from None
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise BioamError(
            f"{where} is not a CIFAR-10 batch (expected a dict with b'data' and b'labels'); "
            "use the official python version of CIFAR-10"
        )
    data, labels = batch[b"data"], batch[b"labels"]
    n_pixels = int(np.prod(_CIFAR_IMAGE_SHAPE))
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
            or data.shape[1] != n_pixels:
        shape = getattr(data, "shape", None)
        raise BioamError(
            f"{where}: b'data' must be a uint8 array of shape (n, {n_pixels}), got "
            f"{type(data).__name__} {getattr(data, 'dtype', '')} of shape {shape}"
        )
    try:
        labels = np.asarray(labels)
    except (TypeError, ValueError):
        labels = np.asarray([], dtype=object)
    labels = _check_labels(where, "b'labels'", labels, data.shape[0], "b'data'")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise BioamError(f"{where}: b'labels' must lie in 0..9, got {labels.min()}..{labels.max()}")
    return data, labels


def _read_cifar10(folder, split, limit):
    """CIFAR-10 from the extracted folder, else from the official archive."""
    extracted = folder / _CIFAR_FOLDER
    archive = folder / _CIFAR_ARCHIVE
    batches = []
    if extracted.is_dir():
        path = extracted
        for batch_name in _CIFAR_BATCHES[split]:
            batch_path = extracted / batch_name
            if not batch_path.is_file():
                raise BioamError(
                    f"CIFAR-10 folder {os.fspath(extracted)!r} has no {batch_name}; "
                    f"extract the whole {_CIFAR_ARCHIVE} there"
                )
            with open(batch_path, "rb") as stream:
                batches.append(_unpickle_batch(stream, f"CIFAR-10 file {os.fspath(batch_path)!r}"))
    elif archive.exists():
        path = archive
        where = f"CIFAR-10 archive {os.fspath(archive)!r}"
        try:
            with tarfile.open(archive, "r:gz") as tar:
                for batch_name in _CIFAR_BATCHES[split]:
                    member_name = f"{_CIFAR_FOLDER}/{batch_name}"
                    try:
                        member = tar.getmember(member_name)
                    except KeyError:
                        raise BioamError(
                            f"{where} has no {member_name}; download the official python "
                            "version of CIFAR-10 again"
                        ) from None
                    stream = tar.extractfile(member)
                    if stream is None:
                        raise BioamError(f"{where}: {member_name} is not a regular file")
                    content = io.BytesIO(stream.read())
                    batches.append(_unpickle_batch(content, f"{where} member {member_name}"))
        except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
            raise BioamError(
                f"{where} is corrupt or truncated ({error}); download it again"
            ) from None
    else:
        raise BioamError(
            f"CIFAR-10 not found: neither {os.fspath(extracted)!r} nor "
            f"{os.fspath(archive)!r} exists; put the official {_CIFAR_ARCHIVE} there or "
            f"{_HOW_TO_SET}"
        )
    data = np.concatenate([batch[0] for batch in batches])
    labels = np.concatenate([batch[1] for batch in batches])
    if limit is not None:
        _check_limit(f"CIFAR-10 {os.fspath(path)!r}", split, limit, len(data))
        data, labels = data[:limit], labels[:limit]
    # Channel-major flattening is kept: R (1024), G (1024), B (1024), each row-major.
    images = data.astype(np.float32) / np.float32(255.0)
    return images, labels, _CIFAR_IMAGE_SHAPE, path
