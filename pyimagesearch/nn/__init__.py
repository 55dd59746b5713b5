from pyimagesearch.nn.neuralnetwork import NeuralNetwork
