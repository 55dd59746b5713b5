from pyimagesearch.utils.plotting import plot_history
from pyimagesearch.utils.progress import progress_bar
from pyimagesearch.utils.progress import track
from pyimagesearch.utils.ranked import rank5_accuracy
from pyimagesearch.utils.reports import classification_report
from pyimagesearch.utils.schedules import PolynomialDecay
from pyimagesearch.utils.schedules import StepDecay
from pyimagesearch.utils.schedules import keras2_decay
