from pyimagesearch._lazy import lazy_names
from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter
from pyimagesearch.io.hdf5datasetreader import check_complete, open_hdf5_dataset, read_label_names

__all__ = ["HDF5DatasetWriter", "HDF5DatasetGenerator", "check_complete",
           "open_hdf5_dataset", "read_label_names"]

# HDF5DatasetGenerator is a keras.utils.PyDataset: imported on first use,
# so that writing HDF5 files (build_dataset.py) never pays for keras
__getattr__ = lazy_names(__name__, {
    "HDF5DatasetGenerator": "pyimagesearch.io.hdf5datasetgenerator",
})
