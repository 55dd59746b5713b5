from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter
from pyimagesearch.io.hdf5datasetwriter import check_complete
from pyimagesearch.io.hdf5datasetwriter import open_hdf5_dataset
from pyimagesearch.io.hdf5datasetwriter import read_label_names

__all__ = ["HDF5DatasetWriter", "HDF5DatasetGenerator", "check_complete",
           "open_hdf5_dataset", "read_label_names"]


def __getattr__(name):
    # HDF5DatasetGenerator is a keras.utils.PyDataset: imported on first use,
    # so that writing HDF5 files (build_dataset.py) never pays for keras
    if name == "HDF5DatasetGenerator":
        from pyimagesearch.io.hdf5datasetgenerator import HDF5DatasetGenerator

        globals()[name] = HDF5DatasetGenerator
        return HDF5DatasetGenerator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
