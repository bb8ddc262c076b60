# ./ocrnet-hmsa_hr48.py at the Cityscapes input size: full 1024x2048 frames.
_base_ = ['./ocrnet-hmsa_hr48.py']
model = dict(data_preprocessor=dict(size=(1024, 2048)))
