"""Tests of the data set loaders on small synthetic files in the official layouts."""

import io
import pickle
import tarfile

import numpy as np
import pytest

import bioam.datasets as datasets
from bioam.datasets import data_directory, load_dataset
from bioam.validation import BioamError


def write_mnist_layout(path, n_train=12, n_test=5, shape=(28, 28), seed=0):
    rng = np.random.default_rng(seed)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, *shape), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, *shape), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test).astype(np.uint8),
    }
    np.savez_compressed(path, **arrays)
    return arrays


def test_npz_by_path_scales_and_flattens_row_major(tmp_path):
    arrays = write_mnist_layout(tmp_path / "digits.npz", shape=(4, 6))
    images, labels, info = load_dataset(tmp_path / "digits.npz")
    assert images.dtype == np.float32 and images.shape == (12, 24)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, arrays["y_train"])
    # Row-major: pixel (row 1, column 2) of image 3 is element 1 * 6 + 2.
    assert images[3, 8] == np.float32(arrays["x_train"][3, 1, 2] / np.float32(255))
    assert images.min() >= 0 and images.max() <= 1
    assert info["image_shape"] == (4, 6) and info["n_visible"] == 24
    test_images, test_labels, test_info = load_dataset(tmp_path / "digits.npz", split="test",
                                                       limit=3)
    assert test_images.shape == (3, 24) and test_info["split"] == "test"
    np.testing.assert_array_equal(test_labels, arrays["y_test"][:3])


def test_float_images_are_kept(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.random((6, 3, 3))
    np.savez(tmp_path / "f.npz", x_train=x, y_train=np.arange(6), x_test=x, y_test=np.arange(6))
    images, _, _ = load_dataset(tmp_path / "f.npz")
    np.testing.assert_allclose(images, x.reshape(6, 9).astype(np.float32))


def test_mnist_found_through_environment_and_module_setting(tmp_path, monkeypatch):
    write_mnist_layout(tmp_path / "mnist.npz")
    monkeypatch.setattr(datasets, "DATA_DIR", None)
    monkeypatch.setenv("BIOAM_DATA_DIR", str(tmp_path))
    assert data_directory() == tmp_path
    images, labels, info = load_dataset("mnist")
    assert images.shape == (12, 784) and info["name"] == "mnist"
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setattr(datasets, "DATA_DIR", other)
    assert data_directory() == other
    with pytest.raises(BioamError, match="BIOAM_DATA_DIR"):
        load_dataset("mnist")
    assert load_dataset("mnist", data_dir=tmp_path)[0].shape == (12, 784)


def test_default_data_directory_is_next_to_the_checkout(monkeypatch):
    monkeypatch.setattr(datasets, "DATA_DIR", None)
    monkeypatch.delenv("BIOAM_DATA_DIR", raising=False)
    import bioam
    from pathlib import Path

    expected = Path(bioam.__file__).resolve().parents[2] / "shared" / "data"
    assert data_directory() == expected


def test_missing_mnist_says_where_it_looked(tmp_path):
    with pytest.raises(BioamError) as error:
        load_dataset("mnist", data_dir=tmp_path)
    message = str(error.value)
    assert str(tmp_path / "mnist.npz") in message and "BIOAM_DATA_DIR" in message
    assert "\n" not in message


def test_unknown_name_and_bad_arguments(tmp_path):
    with pytest.raises(BioamError, match="unknown data set"):
        load_dataset("fashion", data_dir=tmp_path)
    write_mnist_layout(tmp_path / "mnist.npz")
    with pytest.raises(BioamError, match="split"):
        load_dataset("mnist", split="validation", data_dir=tmp_path)
    with pytest.raises(BioamError, match="limit"):
        load_dataset("mnist", data_dir=tmp_path, limit=0)


def test_truncated_npz_is_reported_as_corrupt(tmp_path):
    write_mnist_layout(tmp_path / "mnist.npz")
    content = (tmp_path / "mnist.npz").read_bytes()
    (tmp_path / "mnist.npz").write_bytes(content[: len(content) // 2])
    with pytest.raises(BioamError, match="corrupt"):
        load_dataset("mnist", data_dir=tmp_path)
    (tmp_path / "mnist.npz").write_bytes(b"not a zip file at all")
    with pytest.raises(BioamError, match="corrupt"):
        load_dataset("mnist", data_dir=tmp_path)


@pytest.mark.parametrize("arrays, message", [
    (dict(x_train=np.zeros(5, np.uint8), y_train=np.zeros(5, np.uint8)), "shape"),
    (dict(x_train=np.zeros((5, 2, 2), np.uint8), y_train=np.zeros(4, np.uint8)), "4 labels"),
    (dict(x_train=np.zeros((5, 2, 2), np.uint8), y_train=np.zeros((5, 1), np.uint8)), "1-D"),
    (dict(x_train=np.zeros((5, 2, 2), np.uint8), y_train=np.zeros(5)), "integer"),
    (dict(x_train=np.full((5, 2, 2), np.nan), y_train=np.zeros(5, np.uint8)), "NaN"),
    (dict(x_train=np.full((5, 2, 2), 2.0), y_train=np.zeros(5, np.uint8)), r"outside \[0, 1\]"),
    (dict(x_train=np.zeros((5, 2, 2), np.int32), y_train=np.zeros(5, np.uint8)), "dtype int32"),
    (dict(images=np.zeros((5, 2, 2), np.uint8)), "x_train"),
])
def test_bad_npz_contents_raise(tmp_path, arrays, message):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(BioamError, match=message) as error:
        load_dataset(tmp_path / "bad.npz")
    assert "\n" not in str(error.value)


N_PER_BATCH = 20


def cifar_batches(seed=0):
    """Batches in the official format: dict of bytes keys, channel-major uint8 rows."""
    rng = np.random.default_rng(seed)
    batches = {}
    for number, name in enumerate([f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]):
        data = rng.integers(0, 256, (N_PER_BATCH, 3072), dtype=np.uint8)
        # Image 0 of each batch: pure red, green values 7, blue values 200.
        data[0, :1024], data[0, 1024:2048], data[0, 2048:] = 255, 7, 200
        labels = [int(label) for label in rng.integers(0, 10, N_PER_BATCH)]
        batches[name] = {b"batch_label": f"batch {number}".encode(), b"labels": labels,
                         b"data": data, b"filenames": [b"x.png"] * N_PER_BATCH}
    return batches


def write_cifar_folder(folder, batches):
    folder.mkdir(parents=True)
    for name, batch in batches.items():
        with open(folder / name, "wb") as stream:
            pickle.dump(batch, stream, protocol=2)


def write_cifar_archive(path, batches):
    with tarfile.open(path, "w:gz") as tar:
        for name, batch in batches.items():
            content = pickle.dumps(batch, protocol=2)
            member = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            member.size = len(content)
            tar.addfile(member, io.BytesIO(content))


def check_cifar(images, labels, info, batches, split):
    names = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    assert images.shape == (N_PER_BATCH * len(names), 3072) and images.dtype == np.float32
    expected = np.concatenate([batches[name][b"data"] for name in names]) / np.float32(255)
    np.testing.assert_array_equal(images, expected.astype(np.float32))
    np.testing.assert_array_equal(labels, sum((batches[name][b"labels"] for name in names), []))
    # Channel-major order kept: red block, then green, then blue.
    first = images[0]
    assert np.all(first[:1024] == 1.0)
    assert np.all(first[1024:2048] == np.float32(7 / 255))
    assert np.all(first[2048:] == np.float32(200 / 255))
    assert info["image_shape"] == (3, 32, 32) and info["name"] == "cifar10"


@pytest.mark.parametrize("split", ["train", "test"])
def test_cifar10_from_archive_and_from_folder(tmp_path, split):
    batches = cifar_batches()
    write_cifar_archive(tmp_path / "archive" / "cifar-10-python.tar.gz", batches) if (
        tmp_path / "archive").mkdir() is None else None
    images, labels, info = load_dataset("cifar10", split=split, data_dir=tmp_path / "archive")
    check_cifar(images, labels, info, batches, split)
    assert info["path"].endswith("cifar-10-python.tar.gz")
    write_cifar_folder(tmp_path / "folder" / "cifar-10-batches-py", batches)
    images, labels, info = load_dataset("cifar10", split=split, data_dir=tmp_path / "folder")
    check_cifar(images, labels, info, batches, split)
    assert info["path"].endswith("cifar-10-batches-py")


def test_cifar10_limit(tmp_path):
    batches = cifar_batches()
    write_cifar_folder(tmp_path / "cifar-10-batches-py", batches)
    images, labels, _ = load_dataset("cifar10", data_dir=tmp_path, limit=25)
    assert images.shape == (25, 3072)
    np.testing.assert_array_equal(images[20], batches["data_batch_2"][b"data"][0] / np.float32(255))


def test_cifar10_missing(tmp_path):
    with pytest.raises(BioamError, match="BIOAM_DATA_DIR") as error:
        load_dataset("cifar10", data_dir=tmp_path)
    assert "cifar-10-python.tar.gz" in str(error.value)
    write_cifar_folder(tmp_path / "cifar-10-batches-py", {"test_batch": cifar_batches()["test_batch"]})
    with pytest.raises(BioamError, match="data_batch_1"):
        load_dataset("cifar10", data_dir=tmp_path)


def test_cifar10_truncated_archive(tmp_path):
    archive = tmp_path / "cifar-10-python.tar.gz"
    write_cifar_archive(archive, cifar_batches())
    content = archive.read_bytes()
    archive.write_bytes(content[: len(content) // 2])
    with pytest.raises(BioamError, match="corrupt or truncated"):
        load_dataset("cifar10", data_dir=tmp_path)
    archive.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(BioamError, match="corrupt"):
        load_dataset("cifar10", data_dir=tmp_path)


def test_cifar10_archive_without_a_batch(tmp_path):
    batches = cifar_batches()
    del batches["data_batch_3"]
    write_cifar_archive(tmp_path / "cifar-10-python.tar.gz", batches)
    with pytest.raises(BioamError, match="data_batch_3"):
        load_dataset("cifar10", data_dir=tmp_path)


def test_cifar10_truncated_batch_file(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    write_cifar_folder(folder, cifar_batches())
    content = (folder / "data_batch_2").read_bytes()
    (folder / "data_batch_2").write_bytes(content[:500])
    with pytest.raises(BioamError, match="data_batch_2.*corrupt"):
        load_dataset("cifar10", data_dir=tmp_path)


@pytest.mark.parametrize("change, message", [
    (lambda batch: batch.update({b"data": batch[b"data"][:, :3000]}), "shape"),
    (lambda batch: batch.update({b"data": batch[b"data"].astype(np.float64)}), "uint8"),
    (lambda batch: batch.update({b"labels": batch[b"labels"][:-1]}), "19 labels"),
    (lambda batch: batch.update({b"labels": [12] * N_PER_BATCH}), "0..9"),
    (lambda batch: batch.pop(b"labels"), "not a CIFAR-10 batch"),
])
def test_cifar10_wrong_contents(tmp_path, change, message):
    batches = cifar_batches()
    change(batches["data_batch_4"])
    write_cifar_folder(tmp_path / "cifar-10-batches-py", batches)
    with pytest.raises(BioamError, match=message) as error:
        load_dataset("cifar10", data_dir=tmp_path)
    assert "data_batch_4" in str(error.value)


class Payload:
    def __reduce__(self):
        return (print, ("this must never run",))


def test_cifar10_batch_with_foreign_objects_is_refused(tmp_path, capsys):
    batches = cifar_batches()
    batches["data_batch_1"][b"extra"] = Payload()
    write_cifar_folder(tmp_path / "cifar-10-batches-py", batches)
    with pytest.raises(BioamError, match="refusing to load .*print"):
        load_dataset("cifar10", data_dir=tmp_path)
    assert "must never run" not in capsys.readouterr().out
