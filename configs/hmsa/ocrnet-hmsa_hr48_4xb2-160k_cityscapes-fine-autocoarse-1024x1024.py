# Table 4 "Fine + auto-generated coarse labels": as the fine + coarse model,
# with the coarse images labelled by tools/autolabel.py from a teacher.
_base_ = [
    './ocrnet-hmsa_hr48_4xb2-160k_cityscapes-fine-coarse-1024x1024.py',
]
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(
            type='CityscapesDataset',
            data_root='data/cityscapes/',
            data_prefix=dict(
                img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
            pipeline={{_base_.train_pipeline}}),
        dict(
            type='CityscapesDataset',
            data_root='data/cityscapes/',
            data_prefix=dict(
                img_path='leftImg8bit/train_extra',
                seg_map_path='autolabel/train_extra'),
            seg_map_suffix='_gtAuto_labelTrainIds.png',
            pipeline={{_base_.train_pipeline}}),
    ]))
