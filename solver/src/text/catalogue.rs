//! Every message houniao writes for people about a roster, in English and Chinese,
//! side by side so that neither can be missing; a test checks both name the same
//! placeholders. The English is the wording of the CLI, the JSON and the files.

macro_rules! catalogue {
    ($( $key:ident { en: $en:literal, zh: $zh:literal } )*) => {
        /// A message of the catalogue (serialised by its name).
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[allow(missing_docs)]
        pub enum Key {
            $($key,)*
        }

        impl Key {
            /// Every key, in catalogue order.
            pub const ALL: &'static [Key] = &[$(Key::$key,)*];

            /// The key's name (`RoomUnavailable`), for catalogues kept elsewhere.
            pub fn name(self) -> &'static str {
                match self {
                    $(Key::$key => stringify!($key),)*
                }
            }

            /// The English template.
            pub fn english(self) -> &'static str {
                match self {
                    $(Key::$key => $en,)*
                }
            }

            /// The Chinese template.
            pub fn chinese(self) -> &'static str {
                match self {
                    $(Key::$key => $zh,)*
                }
            }
        }
    };
}

catalogue! {
    // Words that fill other messages.
    ActivityClinic { en: "clinic", zh: "门诊" }
    ActivityStudio { en: "studio", zh: "名医工作室" }
    ActivityMdt { en: "mdt", zh: "MDT会诊" }
    ActivitySurgery { en: "surgery", zh: "手术" }
    RoomKindClinic { en: "clinic", zh: "诊室" }
    RoomKindMeeting { en: "meeting", zh: "会议室" }
    RoomKindTheatre { en: "theatre", zh: "手术室" }
    WordSpecialist { en: "specialist", zh: "专家" }
    WordSite { en: "site", zh: "院区" }
    WordRoom { en: "room", zh: "房间" }
    WordSession { en: "session", zh: "时段" }
    WordStudio { en: "studio", zh: "名医工作室" }
    WordBoard { en: "MDT board", zh: "MDT团队" }
    WordSurgery { en: "surgery", zh: "手术" }
    WordRequest { en: "request", zh: "预约需求" }
    NoDiscipline { en: "no discipline", zh: "无专科" }
    Clauses { en: "{clauses}", zh: "{clauses}" }

    // The checker: the roster's references (rule 10) and format (§6).
    RosterForOtherInstance {
        en: "the roster is for instance \"{roster}\", not \"{instance}\"",
        zh: "这份排班属于实例“{roster}”，不是“{instance}”"
    }
    UnknownReference { en: "{context}: unknown {what} \"{id}\"", zh: "{context}：未知的{what}“{id}”" }
    AssignmentContext { en: "assignment of \"{who}\" ({activity})", zh: "“{who}”的安排（{activity}）" }
    SurgeryPlacementContext { en: "surgery placement \"{surgery}\"", zh: "手术安排“{surgery}”" }
    BookingContext { en: "booking of request \"{request}\"", zh: "预约需求“{request}”的预约" }
    PresenceContext { en: "presence of \"{who}\"", zh: "“{who}”的在院记录" }
    StartNotTime {
        en: "{context}: start \"{start}\" is not an HH:MM time",
        zh: "{context}：开始时间“{start}”不是 HH:MM 格式"
    }

    // The checker: one assignment at a time.
    AssignmentOnClosedDate {
        en: "\"{who}\" has a {activity} assignment on a date that is not open",
        zh: "“{who}”在非开放日期有{activity}安排"
    }
    AssignmentUnavailable {
        en: "\"{who}\" is not available for this {activity} assignment",
        zh: "“{who}”此时不能参加这项{activity}安排"
    }
    OnSiteWithoutSite {
        en: "on-site {activity} assignment of \"{who}\" has no site",
        zh: "“{who}”的现场{activity}安排没有写院区"
    }
    SiteNotTheirs {
        en: "\"{who}\" works at \"{site}\", which is not among their sites",
        zh: "“{who}”在“{site}”工作，但这不是其执业院区"
    }
    RemotePlaceNamesSite {
        en: "remote MDT place of \"{who}\" names a site",
        zh: "“{who}”的远程MDT席位不应写院区"
    }
    AssignmentWithoutRoom {
        en: "{activity} assignment of \"{who}\" has no room",
        zh: "“{who}”的{activity}安排没有房间"
    }
    RoomWrongKind {
        en: "room \"{room}\" is a {kind} room, not a {wanted} room",
        zh: "房间“{room}”是{kind}，不是{wanted}"
    }
    RoomWrongSite {
        en: "room \"{room}\" is at \"{site}\", not at \"{wanted}\"",
        zh: "房间“{room}”在“{site}”，不在“{wanted}”"
    }
    RoomUnavailable { en: "room \"{room}\" is unavailable", zh: "房间“{room}”不可用" }
    ClinicWithoutDiscipline {
        en: "clinic assignment of \"{who}\" has no discipline",
        zh: "“{who}”的门诊安排没有写专科"
    }
    ClinicDisciplineNotHeld {
        en: "\"{who}\" holds a {discipline} clinic but does not have that discipline",
        zh: "“{who}”开设{discipline}门诊，但不具备该专科"
    }
    StudioAssignmentIncomplete {
        en: "studio assignment of \"{who}\" needs studio and role",
        zh: "“{who}”的名医工作室安排须写明工作室和角色"
    }
    MdtAssignmentIncomplete {
        en: "MDT assignment of \"{who}\" needs board and discipline",
        zh: "“{who}”的MDT安排须写明MDT团队和专科"
    }

    RemoteOutsideMdt {
        en: "the {activity} assignment of \"{who}\" is marked remote; only MDT participants join by video",
        zh: "“{who}”的{activity}安排标为远程；只有MDT会诊的参会者可以视频参加"
    }
    FieldOutsideItsActivity {
        en: "the {activity} assignment of \"{who}\" has {field} \"{value}\", which only {owner} entries have",
        zh: "“{who}”的{activity}安排写了{field}“{value}”，只有{owner}安排才有该字段"
    }

    // Rule 1: one thing at a time.
    PersonDoubleBooked {
        en: "\"{who}\" has {count} activities in one slot ({activities})",
        zh: "“{who}”在同一时段有{count}项活动（{activities}）"
    }
    OccupantClinic { en: "clinic of \"{who}\"", zh: "“{who}”的门诊" }
    OccupantStudio { en: "studio \"{studio}\"", zh: "名医工作室“{studio}”" }
    OccupantMdt { en: "MDT \"{board}\"", zh: "MDT“{board}”" }
    RoomDoubleBooked {
        en: "room \"{room}\" hosts {count} activities: {occupants}",
        zh: "房间“{room}”同时安排了{count}项活动：{occupants}"
    }
    GroupWithoutRoom { en: "{what} has no room", zh: "{what}没有房间" }
    GroupSpreadOverRooms { en: "{what} is spread over rooms {rooms}", zh: "{what}分散在多个房间：{rooms}" }

    // Rule 6: studio sessions.
    StudioSessionWhat { en: "studio \"{studio}\" session", zh: "名医工作室“{studio}”的带教" }
    StudioNoLead { en: "{what} has no lead", zh: "{what}没有主持专家" }
    StudioWrongLead {
        en: "{what} is led by \"{who}\", not by its lead \"{lead}\"",
        zh: "{what}由“{who}”主持，而不是由其主持专家“{lead}”"
    }
    StudioWrongDiscipline {
        en: "{what} is held as {discipline}, not as the studio's {wanted}",
        zh: "{what}按{discipline}开设，而不是工作室的{wanted}"
    }
    StudioManyLeads { en: "{what} has {count} leads", zh: "{what}有{count}位主持专家" }
    NotAnApprentice {
        en: "\"{who}\" is not an apprentice of studio \"{studio}\"",
        zh: "“{who}”不是名医工作室“{studio}”的跟诊学员"
    }
    StudioTooFewApprentices {
        en: "{what} has {count} apprentice(s), needs at least {min}",
        zh: "{what}有{count}名跟诊学员，至少需要{min}名"
    }
    StudioWrongSite {
        en: "\"{who}\" attends {what} at \"{site}\", not at the studio's site \"{wanted}\"",
        zh: "“{who}”在“{site}”参加{what}，而不在工作室所在院区“{wanted}”"
    }
    RoomLacksStudioTags {
        en: "room \"{room}\" lacks the studio's tags [{tags}]",
        zh: "房间“{room}”缺少工作室要求的标签 [{tags}]"
    }

    // Rule 7: MDT meetings.
    MdtMeetingWhat { en: "MDT \"{board}\" meeting", zh: "MDT“{board}”会议" }
    MdtSessionNotAllowed {
        en: "{what} is held in a session the board does not allow",
        zh: "{what}安排在该团队不允许的时段"
    }
    MdtDisciplineNotRequired {
        en: "{what}: \"{who}\" takes part as {discipline}, which the board does not require",
        zh: "{what}：“{who}”以{discipline}身份参加，但团队不需要该专科"
    }
    MdtDisciplineNotHeld {
        en: "{what}: \"{who}\" does not have discipline {discipline}",
        zh: "{what}：“{who}”不具备{discipline}专科"
    }
    MdtRemoteNotAllowed {
        en: "{what}: \"{who}\" joins remotely but {discipline} is not remote_ok",
        zh: "{what}：“{who}”远程参加，但{discipline}不允许远程（remote_ok）"
    }
    MdtWrongSite {
        en: "{what}: \"{who}\" is at \"{site}\", not at the board's site \"{wanted}\"",
        zh: "{what}：“{who}”在“{site}”，不在团队所在院区“{wanted}”"
    }
    MdtMissingDiscipline { en: "{what} has no participant for {discipline}", zh: "{what}缺少{discipline}专家" }
    MdtDisciplineTwice {
        en: "{what} has {count} participants for {discipline}, needs exactly one",
        zh: "{what}有{count}位{discipline}专家，应恰好一位"
    }
    MdtRoomWrongSite {
        en: "{what} is in room \"{room}\" at \"{site}\", not at the board's site",
        zh: "{what}在“{site}”的房间“{room}”，不在团队所在院区"
    }
    RoomLacksBoardTags {
        en: "room \"{room}\" lacks the board's tags [{tags}]",
        zh: "房间“{room}”缺少团队要求的标签 [{tags}]"
    }
    MdtNotMeetingRoom {
        en: "{what} is in \"{room}\", which is not a meeting room",
        zh: "{what}在“{room}”，这不是会议室"
    }

    // Rule 8: surgeries.
    SurgeryWhat { en: "surgery \"{surgery}\"", zh: "手术“{surgery}”" }
    SurgeryTwice { en: "{what} is done more than once", zh: "{what}被安排了不止一次" }
    SurgeryOnClosedDate { en: "{what} is placed on a date that is not open", zh: "{what}安排在非开放日期" }
    SurgeryBeforeRelease {
        en: "{what} is done before its release date {release}",
        zh: "{what}早于其可手术日期{release}"
    }
    SurgeryNotInTheatre {
        en: "{what} is in \"{room}\", which is not a theatre",
        zh: "{what}在“{room}”，这不是手术室"
    }
    TheatreLacksTags {
        en: "theatre \"{room}\" lacks the tags [{tags}] of {what}",
        zh: "手术室“{room}”缺少{what}要求的标签 [{tags}]"
    }
    SurgeryWrongSite {
        en: "{what} must be at \"{site}\" but theatre \"{room}\" is at \"{room_site}\"",
        zh: "{what}须在“{site}”，但手术室“{room}”在“{room_site}”"
    }
    TheatreUnavailable { en: "theatre \"{room}\" is unavailable", zh: "手术室“{room}”不可用" }
    SurgeryWrongSurgeon {
        en: "{what} is done by \"{who}\" but names surgeon \"{named}\"",
        zh: "{what}由“{who}”主刀，但指定的术者是“{named}”"
    }
    SurgeonLacksDiscipline {
        en: "{what} is {discipline} but \"{who}\" does not have that discipline",
        zh: "{what}属{discipline}，但“{who}”不具备该专科"
    }
    SurgeonGradeTooLow {
        en: "{what} is grade {grade} but \"{who}\" has surgery_grade {has}",
        zh: "{what}为{grade}级手术，但“{who}”的手术级别（surgery_grade）为{has}"
    }
    SurgeryTooLong {
        en: "{what} takes {minutes} minutes, longer than the {session} session ({length} minutes)",
        zh: "{what}需{minutes}分钟，超过{session}时段的长度（{length}分钟）"
    }
    SurgeonNotAssigned {
        en: "surgeon \"{who}\" of {what} has no surgery assignment in this slot",
        zh: "{what}的术者“{who}”在该时段没有手术安排"
    }
    SurgeonAtOtherSite {
        en: "surgeon \"{who}\" of {what} is not assigned at the theatre's site \"{site}\"",
        zh: "{what}的术者“{who}”没有安排在手术室所在院区“{site}”"
    }
    SurgeryOutsideSession {
        en: "{what} starts at {start} and takes {minutes} minutes, outside the {session} session ({from}–{to})",
        zh: "{what}于{start}开始、需{minutes}分钟，超出{session}时段（{from}–{to}）"
    }
    TheatreOverfull {
        en: "theatre \"{room}\" holds {minutes} minutes of surgery, capacity {capacity}",
        zh: "手术室“{room}”安排了{minutes}分钟手术，容量为{capacity}分钟"
    }
    SurgeonOverbooked {
        en: "\"{who}\" operates {minutes} minutes in a {length}-minute session",
        zh: "“{who}”在{length}分钟的时段内手术{minutes}分钟"
    }
    SurgeryAssignmentEmpty {
        en: "\"{who}\" has a surgery assignment with no surgery",
        zh: "“{who}”有手术安排但没有手术"
    }

    // Rule 9: bookings.
    RequestWhat { en: "request \"{request}\"", zh: "预约需求“{request}”" }
    BookedTwice { en: "{what} is booked more than once", zh: "{what}被预约了不止一次" }
    BookedWithoutSession {
        en: "{what} is booked with \"{who}\", who holds no clinic or studio session then",
        zh: "{what}预约在“{who}”名下，但其此时没有门诊或名医工作室时段"
    }
    BookedElsewhere {
        en: "{what} is booked at \"{site}\" but the session is elsewhere",
        zh: "{what}预约在“{site}”，但该时段在别的院区"
    }
    BookedSubstituteRefused {
        en: "{what} accepts only \"{named}\", not \"{who}\"",
        zh: "{what}只接受“{named}”，不接受“{who}”"
    }
    BookedWrongDiscipline {
        en: "{what} needs {discipline} but the session of \"{who}\" is {held}",
        zh: "{what}需要{discipline}，但“{who}”的时段是{held}"
    }
    BookedSiteNotAllowed { en: "{what} does not allow site \"{site}\"", zh: "{what}不接受院区“{site}”" }
    RequestWindowOutside {
        en: "{what} is booked on {date}, outside its window {earliest} … {latest}",
        zh: "{what}预约在{date}，超出其时间窗{earliest}至{latest}"
    }
    SubstituteFlagWrong {
        en: "{what} has substitute = {has} but should have {should}",
        zh: "{what}的 substitute 为 {has}，应为 {should}"
    }
    SessionOverbooked {
        en: "the session of \"{who}\" has {count} bookings, capacity {capacity}",
        zh: "“{who}”的时段有{count}个预约，容量为{capacity}"
    }

    // Rule 13: resource bookings.
    WordResource { en: "resource", zh: "资源" }
    ResourceBookingContext { en: "resource booking of request \"{request}\"", zh: "资源需求“{request}”的预约" }
    ResourceNotAsked {
        en: "{what} asks for {wanted}, not for \"{resource}\"",
        zh: "{what}需要{wanted}，不是“{resource}”"
    }
    ResourceElsewhere {
        en: "{what} is booked at \"{site}\" but \"{resource}\" is at \"{home}\"",
        zh: "{what}预约在“{site}”，但“{resource}”在“{home}”"
    }
    ResourceNotRunning {
        en: "\"{resource}\" does not run in this session",
        zh: "“{resource}”此时段不开放"
    }
    ResourceOverbooked {
        en: "the session of \"{resource}\" has {count} bookings, places {places}",
        zh: "“{resource}”该时段有{count}个预约，号源{places}个"
    }
    ResourceKindWanted { en: "a resource of kind {kind}", zh: "{kind}类资源" }

    // Rule 4 (and 2): presence.
    PresenceTwice {
        en: "presence of \"{who}\" at \"{site}\" is listed twice",
        zh: "“{who}”在“{site}”的在院记录重复"
    }
    PresenceNotVisiting {
        en: "\"{who}\" is not visiting; presence lists only visiting specialists",
        zh: "“{who}”不是外来专家；在院记录只列外来专家"
    }
    PresenceOnClosedDate {
        en: "\"{who}\" is on site on a date that is not open",
        zh: "“{who}”在非开放日期在院"
    }
    PresenceUnavailable {
        en: "\"{who}\" is on site on a date they are not available",
        zh: "“{who}”在其不可出诊的日期在院"
    }
    PresenceSiteNotTheirs {
        en: "\"{who}\" is on site at \"{site}\", which is not among their sites",
        zh: "“{who}”在“{site}”在院，但这不是其执业院区"
    }
    WorkWithoutPresence {
        en: "\"{who}\" works at \"{site}\" without a presence entry for that date and site",
        zh: "“{who}”在“{site}”工作，但当天该院区没有其在院记录"
    }

    // Rule 2: where they may be.
    TooManySites {
        en: "\"{who}\" is at {count} sites in one day ({sites})",
        zh: "“{who}”一天内到了{count}个院区（{sites}）"
    }
    NoTravelEntry {
        en: "\"{who}\" is at {first} and {second} in one day, with no travel entry between them",
        zh: "“{who}”一天内在{first}和{second}两地，但两地之间没有路程记录"
    }
    TravelTooShort {
        en: "\"{who}\" moves from {from} ({early}) to {to} ({late}) with {gap} minutes between sessions; travel takes {travel}",
        zh: "“{who}”从{from}（{early}）到{to}（{late}），两时段相隔{gap}分钟，路程却需{travel}分钟"
    }

    // Rule 4: residencies.
    ResidencyWhat { en: "residency of \"{who}\" at \"{site}\"", zh: "“{who}”在“{site}”的驻点" }
    ResidencyWrongDayCount {
        en: "{what}: on site {count} date(s) in week {week}, needs exactly {needed}",
        zh: "{what}：第{week}周在院{count}天，应恰好{needed}天"
    }
    ResidencyWrongWeekdays {
        en: "{what}: on site on {days} in week {week}, but its fixed days are {fixed}",
        zh: "{what}：第{week}周在{days}在院，但固定日为{fixed}"
    }
    ResidencyNotConsecutive {
        en: "{what}: dates {dates} in week {week} are not consecutive open dates",
        zh: "{what}：第{week}周的日期{dates}不是连续的开放日"
    }
    ResidencyDayElsewhere {
        en: "{what}: on a residency day \"{who}\" works only at \"{site}\"",
        zh: "{what}：驻点日“{who}”只能在“{site}”工作"
    }
    ResidencyWeekdaysDiffer {
        en: "{what}: week {week} uses other weekdays than week {first}, but same_days_every_week is set",
        zh: "{what}：第{week}周与第{first}周的星期不同，但设置了 same_days_every_week"
    }

    // Rule 3: load.
    TooManySessionsInDay {
        en: "\"{who}\" has {count} sessions in one day, at most {max}",
        zh: "“{who}”一天有{count}个时段，最多{max}个"
    }
    TooManySessionsInWeek {
        en: "\"{who}\" has {count} sessions in week {week}, at most {max}",
        zh: "“{who}”第{week}周有{count}个时段，最多{max}个"
    }


    // Rule 12: reserved pools.
    PoolUnknown { en: "{what} takes a place of unknown pool \"{pool}\"", zh: "{what}占用了未知号源池“{pool}”的号" }
    PoolOtherSpecialist {
        en: "{what} takes a place of pool \"{pool}\", which holds places of \"{holder}\", not of \"{who}\"",
        zh: "{what}占用号源池“{pool}”的号，但该池保留的是“{holder}”的号，不是“{who}”的"
    }
    PoolNotReferred {
        en: "{what} takes a place pool \"{pool}\" holds for referrals from {sites}, but none of them refers it",
        zh: "{what}占用号源池“{pool}”为{sites}转诊保留的号，但并非由这些机构转诊"
    }
    PoolOverHeld {
        en: "{count} bookings take the {places} place(s) pool \"{pool}\" holds in the session of \"{who}\"",
        zh: "{count}个预约占用号源池“{pool}”在“{who}”该时段保留的{places}个号"
    }
    PoolGeneralOver {
        en: "the session of \"{who}\" has {count} general bookings, but {places} of its {capacity} places are held by pool \"{pool}\"",
        zh: "“{who}”该时段有{count}个普通预约，但其{capacity}个号中有{places}个由号源池“{pool}”保留"
    }
    PoolQuotaUsed {
        en: "{site} has taken its {quota} held place(s) of {pool} in week {week}",
        zh: "{site}第{week}周已用完号源池{pool}的{quota}个保留号"
    }
    PoolQuotaOver {
        en: "site \"{site}\" takes {count} of the places pool \"{pool}\" holds in week {week}, over its quota of {quota}",
        zh: "“{site}”第{week}周占用号源池“{pool}”保留的号{count}个，超过其配额{quota}个"
    }
    PoolHeldFor {
        en: "{places} place(s) of {who}'s {day} {session} session are held for referrals from {sites} until {until}",
        zh: "{who}{day}{session}的{places}个号为{sites}的转诊保留，至{until}"
    }
    AtTime { en: "{date} {time}", zh: "{date} {time}" }
    OfferHeldFor {
        en: "{places} freed place(s) of {who}'s {day} {session} session are offered to waitlisted patients until {until}",
        zh: "{who}{day}{session}空出的{places}个号已提供给候补患者，保留至{until}"
    }

    // Rule 11: pins.
    PinLabel { en: "pin {id}", zh: "锁定 {id}" }
    ForbidLabel { en: "forbid {id}", zh: "禁止 {id}" }
    PinLabelNoted { en: "pin {id} ({note})", zh: "锁定 {id}（{note}）" }
    ForbidLabelNoted { en: "forbid {id} ({note})", zh: "禁止 {id}（{note}）" }
    PinUnmet { en: "{pin} [{pattern}] has no matching entry", zh: "{pin} [{pattern}] 在排班中没有相符的安排" }
    ForbidMatchedOnce { en: "{pin} [{pattern}] is matched by 1 entry", zh: "{pin} [{pattern}] 与1条安排相符" }
    ForbidMatched {
        en: "{pin} [{pattern}] is matched by {count} entries",
        zh: "{pin} [{pattern}] 与{count}条安排相符"
    }

    // Why demand went unmet (the roster's `unmet` reasons).
    WindowRange { en: "{earliest} … {latest}", zh: "{earliest}至{latest}" }
    ResourceNoSession {
        en: "{wanted} runs no session at an allowed site in {window}",
        zh: "{window}内{wanted}在允许的院区没有可约时段"
    }
    ResourceSessionsFull {
        en: "the {sessions} session(s) of {wanted} in {window} are full",
        zh: "{window}内{wanted}的{sessions}个时段已约满"
    }
    ResourceSessionsFullHeld {
        en: "the {sessions} session(s) of {wanted} in {window} are full; {held} place(s) are held for referrals from {sites}",
        zh: "{window}内{wanted}的{sessions}个时段已约满；另有{held}个号为{sites}的转诊保留"
    }
    NamedUnavailableInWindow {
        en: "{who} is not available on any open date of the window {window}",
        zh: "{who}在时间窗{window}内没有可出诊的开放日"
    }
    NamedLoadFull {
        en: "{who} holds no clinic in the window {window}: the week's {max} session(s) allowed (max_sessions_per_week) are all used ({weeks})",
        zh: "{who}在时间窗{window}内没有门诊：该周允许的{max}个时段（max_sessions_per_week）已全部用完（{weeks}）"
    }
    UsedSession { en: "{day} {session} {activity}", zh: "{day}{session}{activity}" }
    NamedNoClinicOnSite {
        en: "{who} holds no clinic in the window {window} at an allowed site (on site {weekdays} this horizon)",
        zh: "{who}在时间窗{window}内没有在可选院区的门诊（本期在院日：{weekdays}）"
    }
    NamedNoClinic {
        en: "{who} holds no clinic in the window {window} at an allowed site",
        zh: "{who}在时间窗{window}内没有在可选院区的门诊"
    }
    NamedSessionsFull {
        en: "{who}'s {held} clinic session(s) in the window {window} are full ({booked}/{capacity})",
        zh: "{who}在时间窗{window}内的{held}个门诊时段已约满（{booked}/{capacity}）"
    }
    NoSubstitute { en: "the patient accepts no substitute", zh: "患者不接受替换医生" }
    NoDisciplineSpecialistAtSites {
        en: "no {discipline} specialist works at an allowed site",
        zh: "没有{discipline}专家在可选院区执业"
    }
    NoDisciplineSessionInWindow {
        en: "no {discipline} session at an allowed site in the window {window}",
        zh: "时间窗{window}内可选院区没有{discipline}门诊"
    }
    DisciplineSessionsFull {
        en: "the {held} {discipline} session(s) at allowed sites in the window are full ({booked}/{capacity})",
        zh: "时间窗内可选院区的{held}个{discipline}门诊时段已约满（{booked}/{capacity}）"
    }
    SurgeonsCount {
        en: "{count} {discipline} grade-{grade} surgeon(s)",
        zh: "{count}位{discipline}{grade}级术者"
    }
    NoSessionLongEnough {
        en: "no session after its release on {release} is long enough for {minutes} minutes",
        zh: "可手术日期{release}之后没有长达{minutes}分钟的时段"
    }
    SurgeonNeverFree {
        en: "{who} is not free in any slot from {from} on; {theatres} theatre(s) fit",
        zh: "{who}自{from}起没有空闲时段；有{theatres}间手术室合适"
    }
    SurgeonsNeverFree {
        en: "{who} are not free in any slot from {from} on; {theatres} theatre(s) fit",
        zh: "{who}自{from}起没有空闲时段；有{theatres}间手术室合适"
    }
    SurgeonFreeNoTheatre {
        en: "{who} is free in {count} slot(s) from {from} on, but no fitting theatre ([{tags}]) had {minutes} minutes left then, or the surgeon could not reach it",
        zh: "{who}自{from}起有{count}个空闲时段，但当时没有合适的手术室（[{tags}]）剩余{minutes}分钟，或术者无法到达"
    }
    SurgeonsFreeNoTheatre {
        en: "{who} are free in {count} slot(s) from {from} on, but no fitting theatre ([{tags}]) had {minutes} minutes left then, or the surgeon could not reach it",
        zh: "{who}自{from}起有{count}个空闲时段，但当时没有合适的手术室（[{tags}]）剩余{minutes}分钟，或术者无法到达"
    }
    MeetingsShort { en: "{board} week {week}: {missing} meeting(s) short", zh: "{board}第{week}周：缺{missing}次会诊" }
    MeetingLacksDiscipline {
        en: "{head}; no {disciplines} specialist free in a {sessions} session",
        zh: "{head}；{sessions}时段没有空闲的{disciplines}专家"
    }
    MeetingNoCommonSlot {
        en: "{head}; in no {sessions} session of the week are all {count} disciplines ({disciplines}) free at once with a meeting room",
        zh: "{head}；本周没有一个{sessions}时段能让全部{count}个专科（{disciplines}）同时有空并有会议室"
    }
    StudioSessionsShort { en: "{studio} week {week}: {missing} session(s) short", zh: "{studio}第{week}周：缺{missing}次带教" }
    StudioLeadNeverFree { en: "{head}; {lead} is not free in any slot of the week", zh: "{head}；{lead}本周没有空闲时段" }
    StudioApprenticesBusy {
        en: "{head}; {lead} is free on {days} but not {min} of the apprentices at the same time",
        zh: "{head}；{lead}在{days}有空，但同一时段凑不齐{min}名跟诊学员"
    }
    StudioCannotBeThere {
        en: "{head}; {lead} and apprentices are free together in {count} slot(s), but {lead} could not be at {site} then (other site that day, residency, travel or load limits) or no room fit",
        zh: "{head}；{lead}与学员有{count}个共同空闲时段，但{lead}当时无法到{site}（当天在其他院区、驻点、路程或工作量限制），或没有合适的房间"
    }
    ClinicSessionsShort {
        en: "{discipline} at {site} week {week}: {missing} session(s) short",
        zh: "{site}{discipline}第{week}周：缺{missing}个门诊时段"
    }
    ClinicNoStaff { en: "{head}; no {discipline} specialist works there", zh: "{head}；该院区没有{discipline}专家执业" }
    ClinicStaffBusy {
        en: "{head}; its specialists ({names}) have no free available slot that week",
        zh: "{head}；其专家（{names}）当周没有可用的空闲时段"
    }
    ClinicCannotPlace {
        en: "{head}; {free} free specialist-slot(s) of {names} remain but using them would break a residency, site or load rule, cost more than the shortfall, or find no free room with the tags ({rooms} slot(s) with a free clinic room)",
        zh: "{head}；{names}尚有{free}个空闲的专家时段，但使用它们会违反驻点、院区或工作量规则，或代价高于缺口，或找不到带所需标签的空闲房间（{rooms}个时段有空闲诊室）"
    }

    // The booking desk: why a request cannot be had.
    OutsideRoster {
        en: "the published roster covers {start} … {end}; the window {window} lies outside it",
        zh: "已发布的排班覆盖{start}至{end}；时间窗{window}不在其内"
    }
    NamedHoldsNoSession {
        en: "{who} holds no clinic or studio session on the published roster",
        zh: "已发布的排班中{who}没有门诊或名医工作室时段"
    }
    NamedOnSite { en: "{who} is on site {weekdays}", zh: "{who}的在院日：{weekdays}" }
    NamedHoldsSessions { en: "{who} holds sessions {weekdays}", zh: "{who}的出诊日：{weekdays}" }
    OnlyDay { en: "{day} only", zh: "仅{day}" }
    NoneInWindow { en: "{when}; none of their sessions falls in {window}", zh: "{when}；其时段都不在{window}内" }
    SessionFull { en: "{day} {sessions} is full ({capacity}/{capacity})", zh: "{day}{sessions}已约满（{capacity}/{capacity}）" }
    SessionsFull { en: "{day} {sessions} are full ({capacity}/{capacity})", zh: "{day}{sessions}都已约满（{capacity}/{capacity}）" }
    SessionsElsewhere {
        en: "{day} {sessions} at {site}, not an allowed site",
        zh: "{day}{sessions}在{site}，不是患者可选的院区"
    }
    OtherDiscipline { en: "other {discipline}", zh: "其他{discipline}" }
    NoSessionHeld { en: "no {label} session is held in {window}", zh: "{window}内没有{label}时段" }
    SessionsAtOtherSites {
        en: "the {count} {label} session(s) in {window} are all at sites the patient did not allow",
        zh: "{window}内的{count}个{label}时段都在患者未选择的院区"
    }
    AllowedSessionsFull {
        en: "the {count} {label} session(s) at allowed sites in {window} are full ({taken}/{capacity})",
        zh: "{window}内可选院区的{count}个{label}时段已约满（{taken}/{capacity}）"
    }

    // Rule names (rule 11 and §6 are houniao's own).
    RuleFree { en: "§3 free (open slot, available)", zh: "§3 空闲（开放时段且本人可出诊）" }
    RuleOneThingAtATime { en: "rule 1 (one thing at a time)", zh: "规则1（同一时间只做一件事）" }
    RuleWhereTheyMayBe { en: "rule 2 (where they may be)", zh: "规则2（可去的院区）" }
    RuleLoad { en: "rule 3 (load)", zh: "规则3（每日、每周工作量）" }
    RulePresence { en: "rule 4 (presence)", zh: "规则4（在院与驻点）" }
    RuleClinic { en: "rule 5 (clinic session)", zh: "规则5（门诊单元）" }
    RuleStudio { en: "rule 6 (studio session)", zh: "规则6（工作室出诊）" }
    RuleMdt { en: "rule 7 (MDT meeting)", zh: "规则7（MDT会诊）" }
    RuleSurgery { en: "rule 8 (surgery)", zh: "规则8（手术）" }
    RuleBooking { en: "rule 9 (booking)", zh: "规则9（预约）" }
    RuleReferences { en: "rule 10 (references)", zh: "规则10（引用）" }
    RulePin { en: "rule 11 (pins)", zh: "规则11（锁定）" }
    RulePool { en: "rule 12 (reserved pools)", zh: "规则12（转诊号源池）" }
    RuleResource { en: "rule 13 (resource bookings)", zh: "规则13（资源预约）" }
    RuleFormat { en: "§6 (roster format)", zh: "§6（排班格式）" }

    // Pins that cannot all hold (a solve's conflict).
    PinCannotHold { en: "pin {pin} cannot hold", zh: "锁定 {pin} 无法满足" }
    ForbidCannotHold { en: "forbid {pin} cannot hold", zh: "禁止 {pin} 无法满足" }
    PinsCannotBothHold { en: "pins {a} and {b} cannot both hold", zh: "锁定 {a} 和 {b} 无法同时满足" }
    ForbidsCannotBothHold { en: "forbids {a} and {b} cannot both hold", zh: "禁止 {a} 和 {b} 无法同时满足" }
    PinsCannotAllHold { en: "pins {rest} and {last} cannot all hold", zh: "锁定 {rest} 和 {last} 无法全部满足" }
    ForbidsCannotAllHold { en: "forbids {rest} and {last} cannot all hold", zh: "禁止 {rest} 和 {last} 无法全部满足" }
    NoPinsCannotHold { en: "the pins cannot all hold", zh: "这些锁定无法全部满足" }
    PinNameNoted { en: "{id} ({note})", zh: "{id}（{note}）" }
    ConflictBecause { en: "{head}: {reasons}", zh: "{head}：{reasons}" }
    ConflictRules { en: "{head} [{rules}]", zh: "{head} [{rules}]" }
    ConflictNotMinimal {
        en: "{head} (not narrowed down further within the time limit)",
        zh: "{head}（时限内未能进一步缩小范围）"
    }
    SlotAt { en: "{date} {session}", zh: "{date}{session}" }
    TheSessions { en: "the {session} sessions", zh: "各{session}时段" }
    TheHorizon { en: "the horizon", zh: "整个排班期" }
    PinPersonUnavailable { en: "\"{who}\" is unavailable on {when}", zh: "“{who}”在{when}不可出诊" }
    PinPersonCannotWork { en: "\"{who}\" cannot work on {when}", zh: "“{who}”在{when}不能工作" }
    PinRoomUnavailable { en: "room \"{room}\" is unavailable on {when}", zh: "房间“{room}”在{when}不可用" }
    PinSurgeryNotReleased {
        en: "surgery \"{surgery}\" is released on {release} (after {date})",
        zh: "手术“{surgery}”的可手术日期为{release}（晚于{date}）"
    }
    NamedSurgeonAt { en: "\"{who}\" at", zh: "“{who}”" }
    PinSurgeonNotQualified {
        en: "\"{who}\" may not do surgery \"{surgery}\" (it needs {needs} grade {grade})",
        zh: "“{who}”不能做手术“{surgery}”（需要{needs}、{grade}级）"
    }
    PinNoQualifiedSurgeon { en: "no specialist may do surgery \"{surgery}\"", zh: "没有专家可以做手术“{surgery}”" }
    PinSurgeryFitsNothing {
        en: "surgery \"{surgery}\" ({minutes} min) fits no theatre, session and available surgeon on {when}",
        zh: "手术“{surgery}”（{minutes}分钟）在{when}没有合适的手术室、时段和可出诊的术者"
    }
    PinNoSurgeryAsAsked { en: "no surgery can be done as asked on {when}", zh: "{when}无法按要求安排手术" }
    PinBookingOutsideWindow {
        en: "request \"{request}\" accepts {earliest} to {latest}, not {date}",
        zh: "预约需求“{request}”只接受{earliest}至{latest}，不接受{date}"
    }
    PinBookingNoSubstitute {
        en: "request \"{request}\" asks for \"{who}\" and takes no substitute",
        zh: "预约需求“{request}”指定“{who}”且不接受替换医生"
    }
    PinBookingNoSession {
        en: "no clinic or studio session on {when} can take request \"{request}\"",
        zh: "{when}没有门诊或名医工作室时段能接待预约需求“{request}”"
    }
    PinBoardCannotMeet {
        en: "board \"{board}\" cannot meet on {when}: a meeting room with its tags and one available person per discipline ({disciplines}) are needed",
        zh: "MDT团队“{board}”在{when}无法开会：需要一间带所需标签的会议室，且每个专科（{disciplines}）各有一位可出诊的专家"
    }
    PinStudioCannotSit {
        en: "studio \"{studio}\" cannot sit on {when}: its lead, {min} apprentice(s) and a room with its tags are needed",
        zh: "名医工作室“{studio}”在{when}无法开展：需要主持专家、{min}名跟诊学员和一间带所需标签的房间"
    }
    PinNoActivity { en: "no activity the instance allows matches it on {when}", zh: "{when}没有实例允许的活动与之相符" }
    WouldDoubleBook { en: "\"{who}\" would hold two activities at once on {when}", zh: "“{who}”在{when}将同时有两项活动" }
    RoomWouldDoubleBook {
        en: "room \"{room}\" would hold two activities at once on {when}",
        zh: "房间“{room}”在{when}将同时有两项活动"
    }
    ResidencyFixedTo { en: "is fixed to {days}", zh: "固定在{days}" }
    ResidencyTakesDays { en: "takes {count} days a week", zh: "每周{count}天" }
    ResidencyBinds {
        en: "the residency of \"{who}\" at \"{site}\" (residencies[{index}]) {days}: no other date of the week at that site, and only that site on those days",
        zh: "“{who}”在“{site}”的驻点（residencies[{index}]）{days}：该院区本周没有其他日期，这些天也只能在该院区"
    }
    OneSiteADay {
        en: "\"{who}\" works at one site on {date} (two only with time to travel)",
        zh: "“{who}”在{date}只能在一个院区工作（路程时间足够时才可两个）"
    }
    LoadLimits {
        en: "\"{who}\" works at most {day} sessions a day and {week} a week",
        zh: "“{who}”每天最多{day}个时段，每周最多{week}个"
    }
    WordAll { en: "all", zh: "全部" }
    WordAnyNumberOf { en: "any number of", zh: "不限" }
    SurgeryOnlyBy { en: "surgery \"{surgery}\" can be done only by {names}", zh: "手术“{surgery}”只能由{names}完成" }
    EveryWayMatches { en: "every way to meet {pin} matches {forbids}", zh: "满足{pin}的每种方式都与{forbids}相符" }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::Key;

    fn placeholders(template: &str) -> BTreeSet<&str> {
        template
            .split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn both_languages_name_the_same_placeholders() {
        for key in Key::ALL {
            assert_eq!(
                placeholders(key.english()),
                placeholders(key.chinese()),
                "{}",
                key.name()
            );
            assert!(!key.chinese().is_empty(), "{}", key.name());
        }
    }

    #[test]
    fn braces_only_open_placeholders() {
        for key in Key::ALL {
            for template in [key.english(), key.chinese()] {
                assert_eq!(
                    template.matches('{').count(),
                    template.matches('}').count(),
                    "{}",
                    key.name()
                );
            }
        }
    }
}
