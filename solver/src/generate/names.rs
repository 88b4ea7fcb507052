//! Name lists: disciplines, institutions, places and people (people are fictional).

/// Disciplines, in the order they are written in files.
pub(super) const DISCIPLINES: [&str; 12] = [
    "oncology",
    "thoracic-surgery",
    "breast-surgery",
    "gastroenterology",
    "cardiology",
    "pathology",
    "radiology",
    "gynaecology",
    "urology",
    "neurology",
    "paediatrics",
    "general-practice",
];

/// Disciplines that operate (their specialists get a surgery grade).
pub(super) const SURGICAL: [&str; 4] = [
    "thoracic-surgery",
    "breast-surgery",
    "gynaecology",
    "urology",
];

/// Diagnostic disciplines: no clinic bookings, may join MDT boards remotely.
pub(super) const DIAGNOSTIC: [&str; 2] = ["pathology", "radiology"];

pub(super) const GP: &str = "general-practice";

/// How often each discipline of [`DISCIPLINES`] is drawn for a visiting expert.
pub(super) const VISITING_WEIGHTS: [f64; 12] =
    [18.0, 10.0, 9.0, 9.0, 8.0, 5.0, 5.0, 8.0, 7.0, 7.0, 5.0, 0.0];
/// … for a local specialist at the hub or a hospital.
pub(super) const HOSPITAL_WEIGHTS: [f64; 12] =
    [12.0, 6.0, 6.0, 9.0, 9.0, 5.0, 6.0, 7.0, 6.0, 7.0, 7.0, 10.0];
/// … for a local at a community centre.
pub(super) const COMMUNITY_WEIGHTS: [f64; 12] =
    [4.0, 0.0, 0.0, 5.0, 7.0, 0.0, 0.0, 0.0, 0.0, 6.0, 9.0, 65.0];

/// Top hospitals the visiting experts come from, with the disciplines they send.
pub(super) const TOP_HOSPITALS: [(&str, &[&str]); 10] = [
    (
        "Shanghai Chest Hospital",
        &["thoracic-surgery", "oncology", "radiology", "pathology"],
    ),
    (
        "Fudan University Shanghai Cancer Center",
        &["oncology", "breast-surgery", "pathology", "radiology"],
    ),
    (
        "Obstetrics and Gynecology Hospital of Fudan University",
        &["gynaecology"],
    ),
    (
        "Shanghai Children's Medical Center",
        &["paediatrics", "cardiology"],
    ),
    ("Zhongshan Hospital, Fudan University", &[]),
    ("Ruijin Hospital", &[]),
    ("Renji Hospital", &[]),
    ("Huashan Hospital", &["neurology"]),
    ("Shanghai Sixth People's Hospital", &[]),
    ("Zhejiang Cancer Hospital", &["oncology"]),
];

/// Hub cities.
pub(super) const CITIES: [&str; 10] = [
    "Ningde", "Lishui", "Quzhou", "Zhoushan", "Huzhou", "Jinhua", "Taizhou", "Anqing", "Nanping",
    "Sanming",
];

/// Counties and towns for hospitals.
pub(super) const TOWNS: [&str; 24] = [
    "Fuding",
    "Xiapu",
    "Gutian",
    "Pingnan",
    "Shouning",
    "Zhouning",
    "Zherong",
    "Fu'an",
    "Qingyuan",
    "Longquan",
    "Yunhe",
    "Jingning",
    "Songyang",
    "Suichang",
    "Jiangshan",
    "Changshan",
    "Kaihua",
    "Longyou",
    "Daishan",
    "Shengsi",
    "Anji",
    "Deqing",
    "Changxing",
    "Pujiang",
];

/// Streets and townships for community centres.
pub(super) const STREETS: [&str; 30] = [
    "Jiaocheng",
    "Zhangwan",
    "Tongshan",
    "Chengnan",
    "Dongqiao",
    "Xibei",
    "Binhai",
    "Qiaotou",
    "Shanxia",
    "Hexi",
    "Nanmen",
    "Beiyuan",
    "Xinqiao",
    "Huxi",
    "Jinshan",
    "Baisha",
    "Taoyuan",
    "Meilin",
    "Songbai",
    "Shuangxi",
    "Longtan",
    "Fengling",
    "Qingshui",
    "Yangliu",
    "Heping",
    "Xingfu",
    "Tianma",
    "Shiqiao",
    "Luoyang",
    "Wutong",
];

pub(super) const SURNAMES: [&str; 40] = [
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma",
    "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Song", "Tang", "Han",
    "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan", "Cai", "Jiang",
    "Yu", "Du",
];

pub(super) const GIVEN: [&str; 40] = [
    "Wei", "Fang", "Min", "Jing", "Lei", "Jun", "Yan", "Hong", "Ping", "Gang", "Hui", "Ying",
    "Lijun", "Xiaoming", "Jianguo", "Haiyan", "Yufei", "Qiang", "Na", "Tao", "Xin", "Bo", "Chao",
    "Lin", "Yun", "Dan", "Kai", "Rui", "Shu", "Wen", "Zhiyong", "Meiling", "Guohua", "Xiaohong",
    "Jie", "Peng", "Yi", "Hao", "Ning", "Qian",
];

/// MDT boards: name and the disciplines they are built around.
pub(super) const BOARDS: [(&str, &[&str]); 8] = [
    (
        "Lung cancer MDT",
        &[
            "thoracic-surgery",
            "oncology",
            "radiology",
            "pathology",
            "cardiology",
        ],
    ),
    (
        "Breast cancer MDT",
        &["breast-surgery", "oncology", "radiology", "pathology"],
    ),
    (
        "Gastrointestinal tumour MDT",
        &["gastroenterology", "oncology", "radiology", "pathology"],
    ),
    (
        "Gynaecological oncology MDT",
        &["gynaecology", "oncology", "radiology", "pathology"],
    ),
    (
        "Urological oncology MDT",
        &["urology", "oncology", "radiology", "pathology"],
    ),
    (
        "Neuro-oncology MDT",
        &["neurology", "oncology", "radiology", "pathology"],
    ),
    (
        "Cardio-oncology MDT",
        &["cardiology", "oncology", "radiology", "thoracic-surgery"],
    ),
    (
        "Paediatric complex-care MDT",
        &[
            "paediatrics",
            "neurology",
            "cardiology",
            "radiology",
            "general-practice",
        ],
    ),
];
