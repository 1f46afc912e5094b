//! Every string the window shows that is not scenario or rubric data, in one place, so the
//! glyph-coverage test (`tests/font_coverage.rs`) can prove the shipped font has them all.
//!
//! Templates mark their blanks as `{0}`, `{1}`…; fill them with [`fill`].

macro_rules! strings {
    ($($(#[$m:meta])* $name:ident = $val:expr;)*) => {
        $($(#[$m])* pub const $name: &str = $val;)*
        /// Every UI string, for the glyph-coverage test.
        pub const ALL: &[&str] = &[$($name),*];
    };
}

strings! {
    WINDOW_TITLE = "陪练 · 网店客服对练";
    APP_NAME = "陪练";
    APP_TAGLINE = "网店客服对练工作台：顾客在左，你在右，教练在旁边。";

    // Picker
    PICKER_MODE = "练习方式";
    PICKER_SHOP = "店铺（顾客在哪家店买东西）";
    PICKER_SHOP_DEFAULT = "各场景默认的店";
    PICKER_SHOP_NOT_STOCKED = "这家店没有 {0} 个场景要的商品，这些场景没有列出。";
    PICKER_SHOP_PLANS_NOT_STOCKED = "{0} 个训练计划要用这些场景，也没有列出。";
    MODE_PRACTICE_NOTE = "每条回复后立即点评，可以看提示。";
    MODE_EXAM_NOTE = "结束后才公布点评，响应时效计入成绩。";
    PICKER_SCENARIOS = "选择场景";
    PICKER_OPEN_FOLDER = "打开文件夹";
    PICKER_TRAINEE = "学员：{0}";
    PICKER_SEED = "顾客：{0}";
    PICKER_SEED_FIXED = "每场都是同一位顾客（同样的脾气和说法）";
    PICKER_SEED_RANDOM = "每场随机一位顾客";
    PICKER_EMPTY = "场景文件夹里没有找到可用的场景文件（*.ron），点“打开文件夹”看看。";
    PICKER_LOADING = "正在读取场景…";
    PICKER_PROBLEMS = "有 {0} 个场景或训练计划文件没有通过检查（修改保存后会自动重新载入）：";
    PICKER_RELOADED = "场景已重新载入（{0} 个）。";
    PICKER_CUSTOMER = "顾客：{0}";
    PICKER_NODES = "{0} 个环节";
    PICKER_HINT = "Tab 切换 · Enter 开始 · 鼠标点击卡片也可以开始";
    DIFFICULTY = "难度";
    STAR_ON = "★";
    STAR_OFF = "☆";

    // My progress (我的进度)
    PROGRESS = "我的进度";
    PROGRESS_SUMMARY = "已练 {0} 场 · 完成 {1} 场 · 平均 {2} 分";
    PROGRESS_RECENT = "最近：{0}";
    PROGRESS_EMPTY = "练完第一场，这里会列出你最需要加强的几项，以及最能练到它们的场景。";
    PROGRESS_ALL_GOOD = "目前每一项都做到了，换个难一点的场景试试吧。";
    PROGRESS_WEAKEST = "最需要加强：";
    PROGRESS_RATE_DONE = "做到率 {0}";
    PROGRESS_RATE_VIOLATED = "违规率 {0}";
    PROGRESS_TRY = "推荐练习：";

    // Drills (训练计划)
    PICKER_DRILLS = "训练计划";
    PICKER_DRILLS_NOTE = "组长布置的整套训练：顾客和及格线人人相同，成绩可以互相比较。";
    DRILL_CANNOT_START = "训练计划无法开始：{0}";
    DRILL_STEPS = "{0} 关";
    DRILL_PASS_MARK = "及格 {0} 分";
    DRILL_ATTEMPTS = "每关 {0} 次机会";
    DRILL_TARGET = "每条 {0} 秒内";
    DRILL_CHIP = "训练 第 {0}/{1} 关";
    DRILL_CHIP_RETRY = "训练 第 {0}/{1} 关 · 第 {2} 次";
    DRILL_TRIES = " · {0} 次";
    DRILL_CARD = "训练计划：{0}";
    DRILL_AT = "第 {0}/{1} 关 · 第 {2}/{3} 次";
    DRILL_STEP_PASSED = "本关通过：{0} 分 ≥ 及格线 {1} 分";
    DRILL_STEP_FAILED = "本关未通过：{0} 分 < 及格线 {1} 分";
    DRILL_STEP_UNFINISHED = "本关未完成：对话中途离开了";
    DRILL_STEP_NO = "第 {0} 关";
    DRILL_NOT_YET = "未开始";
    DRILL_RETRY = "同一位顾客再试一次（第 {0}/{1} 次）";
    DRILL_NEXT = "下一关：第 {0} 关 {1}";
    DRILL_FINISH = "完成训练，返回列表";
    DRILL_QUIT = "退出训练";
    DRILL_PASSED = "训练通过：{0}/{1} 关";
    DRILL_FAILED = "训练未通过：通过 {0}/{1} 关";

    // Chat
    CHAT_LEAVE = "离开 (Esc)";
    CHAT_SHOP = "店铺";
    CHAT_PRODUCT = "商品";
    CHAT_PRICE = "价格：{0} 元（最低可让到 {1} 元）";
    CHAT_PRICE_SHORT = "{0} 元";
    CHAT_FREE_SHIPPING = "满 {0} 元包邮";
    CHAT_NO_FREE_SHIPPING = "不包邮";
    CHAT_GIFTS_OK = "可以送小赠品";
    CHAT_GIFTS_NO = "不能送赠品";
    CHAT_RETURNS = "退换：{0}";
    CHAT_SHIPPING = "发货：{0}";
    CHAT_MOOD = "心情";
    CHAT_MOOD_UP = "↑{0}";
    CHAT_MOOD_DOWN = "↓{0}";
    CHAT_TIMER = "用时 {0} 秒";
    CHAT_TIMER_TARGET = "用时 {0} 秒 / 目标 {1} 秒";
    CHAT_TIMER_OVER = "已超时 {0} 秒";
    CHAT_INPUT_HINT = "Enter 发送 · Shift+Enter 换行 · Ctrl+V 粘贴 · Ctrl+数字 插入快捷短语 · Tab 切换";
    CHAT_SEND = "发送";
    CHAT_EMPTY_REPLY = "回复是空的，请先输入要发给顾客的话。";
    CHAT_SAVE_ERROR = "无法写入结果文件：{0}";
    CHAT_ENDED = "对话结束：{0}";
    CHAT_UNFINISHED = "对话未完成，已保存。";
    CHAT_UNFINISHED_NOT_SAVED = "对话未完成，结果文件没有保存。";
    SAVE_ALERT_TITLE = "结果无法保存";
    SAVE_ALERT_QUIT = "退出 (Quit)";
    CHAT_VIEW_REPORT = "查看报告 (Enter)";
    CHAT_YOU = "我";
    CHAT_SCORE = "{0} 分";
    CHAT_EXAM_BADGE = "考核中";
    CHAT_CUSTOMER_LEFT = "顾客已离开";
    CHAT_LEAVE_ASK = "现在离开这次对练吗？";
    CHAT_LEAVE_NOTE = "已经发出的回复会保存为“未完成”；输入框里还没发出的话不会发送。";
    CHAT_LEAVE_STAY = "继续对练 (Esc)";
    CHAT_LEAVE_GO = "离开并保存";
    CHAT_ORDER = "订单";
    CHAT_ORDER_STATE = "咨询中";
    CHAT_EMOJI = "表情";
    /// The platform's emoji text codes (the rubric reads them as emoji).
    EMOJI_CODES = "[微笑] [抱拳] [玫瑰] [愉快] [握手] [害羞] [爱心] [调皮] [大笑] [OK]";

    // Quick phrases
    PHRASES = "快捷短语";
    PHRASES_NOTE = "点击插入到输入框；Ctrl+1…9 插入前九条。";
    PHRASES_NEW = "新短语，回车添加";
    PHRASES_ADD = "添加";
    PHRASES_EDIT = "改";
    PHRASES_DELETE = "删";
    PHRASES_SAVE = "保存";
    PHRASES_CANCEL = "取消";
    PHRASES_DELETED = "已删除：{0}";
    PHRASES_UNDO = "撤销";
    PHRASES_EMPTY = "还没有快捷短语。";

    // Coach
    COACH = "教练点评";
    COACH_WAITING = "发出第一条回复后，这里会逐项点评。";
    COACH_HINT = "本轮提示：{0}";
    COACH_TURN = "第 {0} 轮 · {1} 分";
    COACH_TIME_OK = "用时 {0} 秒，在目标 {1} 秒内";
    COACH_TIME_OVER = "用时 {0} 秒，超过目标 {1} 秒";
    COACH_TIME = "用时 {0} 秒";
    COACH_SIMILARITY = "与参考回复相似度 {0}%";
    COACH_PASS = "✓";
    COACH_FAIL = "×";
    COACH_VIOLATED = "× 违规：{0}";
    COACH_AVOIDED = "✓ 没有{0}";
    COACH_LOST = "扣分原因";
    COACH_LOST_ROW = "扣 {0} 分：{1}";
    COACH_NEXT = "下一条回复";
    COACH_IN_REPLY = "你的回复（标红处有问题）：";
    COACH_SECTION = "课件：{0}";
    COACH_COPY = "复制";
    COACH_COPIED = "已复制";
    COACH_COPY_FAILED = "复制失败";
    COACH_SUGGEST = "建议改为：{0}";
    COACH_MODEL = "参考回复：{0}";
    COACH_EXAM = "考核模式：点评在结束后的报告里。";
    COACH_REJECTED = "没有发出：{0}";

    // Report
    REPORT = "对练报告";
    REPORT_META = "学员 {0} · {1}（{2}） · {3}";
    REPORT_TOTAL = "总分";
    REPORT_RANK = "等级";
    REPORT_OUTCOME = "结果";
    REPORT_UNFINISHED = "未完成";
    REPORT_CHECKS = "各项表现";
    REPORT_CHECK_COUNT = "{0}/{1}";
    REPORT_VIOLATION_COUNT = "违规 {0} 次";
    REPORT_NO_VIOLATION = "没有违规";
    REPORT_TRANSCRIPT = "完整对话";
    REPORT_TURN = "第 {0} 轮 · {1} 分 · 用时 {2} 秒";
    REPORT_NO_TURNS = "还没有回复过。";
    REPORT_ENDING = "顾客最后说：{0}";
    REPORT_PENDING = "顾客还在等你回复：{0}";
    REPORT_FILE = "结果已保存，点“打开结果文件夹”可以看到它。";
    REPORT_NO_FILE = "结果文件没有保存。";
    REPORT_RETRY = "同一位顾客再练一次";
    REPORT_OTHER = "换个场景";
    REPORT_OPEN_FOLDER = "打开结果文件夹";
    REPORT_OPEN_FAILED = "打不开文件夹：{0}";
    REPORT_HINT = "Tab 切换按钮 · Enter 确认 · Esc 返回场景列表";

    // Misc
    NO_DISPLAY = "没有可用的显示器，改为终端对练。(no display available: practising in the terminal)";
    DEFAULT_PHRASES = "您好，欢迎光临，请问有什么可以帮您？\n非常理解您的心情，换做是我也会着急的。\n请您稍等，我马上帮您查一下。\n给您添麻烦了，真的很抱歉。\n这款是我们的热销款，品质和售后都有保障。\n请问还有其他可以帮到您的吗？\n感谢您的耐心等待，祝您生活愉快！";

    // The team lead's view (组长视图)
    TEAM_OPEN = "组长视图";
    TEAM = "组长视图";
    TEAM_NOTE = "全组的练习记录：谁在哪几项上最需要加强，最近练了什么。";
    TEAM_FOLDER = "结果文件夹";
    TEAM_LOAD = "读取";
    TEAM_DEFAULT = "默认文件夹";
    TEAM_OPEN_FOLDER = "打开文件夹";
    TEAM_WRITE_HTML = "生成 HTML 报告";
    TEAM_OPEN_HTML = "打开 HTML 报告";
    TEAM_BACK = "返回 (Esc)";
    TEAM_LOADING = "正在读取 {0} …";
    TEAM_EMPTY_PATH = "请先填写结果文件夹。";
    TEAM_NO_FOLDER = "没有这个文件夹：{0}";
    TEAM_READ_FAILED = "读不了这个文件夹：{0}";
    TEAM_NO_SESSIONS = "这个文件夹里还没有练习记录。";
    TEAM_SUMMARY = "{0} 位学员 · {1} 场练习";
    TEAM_SKIPPED = "（{0} 个文件不是练习记录，已跳过）";
    TEAM_TRAINEES = "学员概况";
    TEAM_COL_NAME = "学员";
    TEAM_COL_SESSIONS = "场次";
    TEAM_COL_AVERAGE = "平均";
    TEAM_COL_LAST = "最近";
    TEAM_COL_WEAKEST = "最需要加强";
    TEAM_DONE_RATE = "做到 {0}";
    TEAM_VIOLATION_RATE = "违规率 {0}";
    TEAM_SESSIONS_COUNT = "{0} 场";
    TEAM_NONE_WEAK = "各项都做到了";
    TEAM_NO_SCORE = "—";
    TEAM_RECENT = "最近的练习";
    TEAM_OF = "{0} 的练习（{1} 场）";
    TEAM_ALL = "全部学员";
    TEAM_OPEN_HINT = "点学员看他的每一场练习，点一场练习看完整报告。Esc 返回场景列表。";
    TEAM_HTML_WRITING = "正在生成报告…";
    TEAM_HTML_WRITTEN = "报告已写入 {0}（{1} 场练习）";
    TEAM_HTML_FAILED = "报告没有写成：{0}";
    TEAM_HTML_MISSING = "还没有生成报告：先点“生成 HTML 报告”。";
    TEAM_OPEN_FAILED = "打不开：{0}";

    // The report, reviewed from the 组长 view
    REPORT_BACK_TO_TEAM = "返回组长视图";
    REPORT_REVIEW_HINT = "Tab 切换按钮 · Enter 确认 · Esc 返回组长视图";
    REPORT_CHIP_DONE = "✓{0}";
    REPORT_CHIP_MISSED = "×{0}";
    REPORT_CHIP_AVOIDED = "✓没有{0}";
    REPORT_CHIP_COMMITTED = "×{0}";
    REPORT_LOST = "失分：";
    REPORT_LOST_ITEM = "−{0} 分 {1}";
    REPORT_SECTION = "课件：{0}";
}

/// The courseware titles in a rubric `section` string, without the file each comes from
/// (see [`crate::rubric::section_titles`]). Every place the window cites the course uses it.
pub use crate::rubric::{section_titles, without_files};

/// Fill `{0}`, `{1}`… in a template.
pub fn fill(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = template.to_string();
    for (i, a) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), &a.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_cited_by_title_not_file() {
        assert_eq!(
            section_titles(
                "话术技巧·3.异议处理·技巧一：倾听与认同（service-standards-and-scripts.txt）；十大素养·8.表达不同意见时尊重对方立场（gold-medal-agent-slides.txt）"
            ),
            vec![
                "话术技巧·3.异议处理·技巧一：倾听与认同",
                "十大素养·8.表达不同意见时尊重对方立场"
            ]
        );
        // A title's own brackets stay; an empty section gives nothing.
        assert_eq!(
            section_titles("怎样处理用户投诉·(八)诚恳道歉（training-handbook-excerpt.txt）"),
            vec!["怎样处理用户投诉·(八)诚恳道歉"]
        );
        assert_eq!(
            section_titles("服务规范（第二版）"),
            vec!["服务规范（第二版）"]
        );
        assert!(section_titles("").is_empty());
        // A citation that goes on after its file loses the file, not what follows.
        assert_eq!(
            section_titles(
                "十大素养·10.坚持自己的原则（gold-medal-agent-slides.txt）：给不符合条件的顾客让价"
            ),
            vec!["十大素养·10.坚持自己的原则：给不符合条件的顾客让价"]
        );
        // No shipped citation shows a file name.
        let rubric = crate::rubric::Rubric::builtin();
        for c in &rubric.file.checks {
            for t in section_titles(&c.section) {
                assert!(!t.contains(".txt"), "{t}");
            }
        }
    }

    #[test]
    fn fills_blanks() {
        assert_eq!(
            fill(CHAT_PRICE, &[&268, &248]),
            "价格：268 元（最低可让到 248 元）"
        );
    }
}
