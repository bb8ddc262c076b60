# ./default_runtime.py with the warm start of the multi-scale attention
# Cityscapes models: stage 1 is the Mapillary model
# (configs/hmsa/ocrnet-hmsa_hr48_8xb2-200e_mapillary-v1-1024x1024.py), whose
# 65-class classifiers do not fit the 19 classes and are left at their
# initialisation (as the authors' forgiving restore).
_base_ = ['./default_runtime.py']
load_from = 'work_dirs/ocrnet-hmsa_hr48_8xb2-200e_mapillary-v1-1024x1024/iter_225000.pth'  # noqa: E501
