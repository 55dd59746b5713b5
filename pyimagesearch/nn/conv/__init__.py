from pyimagesearch.nn.conv.lenet import LeNet
from pyimagesearch.nn.conv.minivggnet import MiniVGGNet
from pyimagesearch.nn.conv.shallownet import ShallowNet
from pyimagesearch.nn.conv.fcheadnet import FCHeadNet
from pyimagesearch.nn.conv.alexnet import AlexNet
from pyimagesearch.nn.conv.minigooglenet import MiniGoogLeNet
