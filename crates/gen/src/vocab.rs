//! Word lists and catalogues the text, name and URL generators draw from.
//!
//! Everything here is invented or generic (common first names, common words,
//! the domain names of well-known news outlets); no text is copied from real
//! posts. Keeping the lists in one file makes the model's vocabulary easy to
//! review and extend.

/// Languages the generator writes, one per region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    De,
    Fr,
    Es,
}

impl Lang {
    pub(crate) const ALL: [Lang; 4] = [Lang::En, Lang::De, Lang::Fr, Lang::Es];

    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Fr => "fr",
            Lang::Es => "es",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn vocab(self) -> &'static LangVocab {
        &VOCAB[self.index()]
    }
}

/// A news outlet: its domain, language, URL layout and account handle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outlet {
    pub(crate) domain: &'static str,
    pub(crate) lang: Lang,
    /// Index into the URL layouts in `domains::article_url`.
    pub(crate) style: u8,
    pub(crate) handle: &'static str,
    /// Prefix `www.` in article URLs.
    pub(crate) www: bool,
}

const fn o(domain: &'static str, lang: Lang, style: u8, handle: &'static str, www: bool) -> Outlet {
    Outlet { domain, lang, style, handle, www }
}

/// Real news outlets, roughly in order of popularity within each language
/// (the generator applies a Zipf law over this order).
pub(crate) const OUTLETS: &[Outlet] = &[
    o("nytimes.com", Lang::En, 0, "nytimes", true),
    o("washingtonpost.com", Lang::En, 1, "washingtonpost", true),
    o("cnn.com", Lang::En, 4, "CNN", true),
    o("foxnews.com", Lang::En, 5, "FoxNews", true),
    o("theguardian.com", Lang::En, 2, "guardian", true),
    o("bbc.co.uk", Lang::En, 3, "BBCNews", true),
    o("reuters.com", Lang::En, 5, "Reuters", true),
    o("apnews.com", Lang::En, 5, "AP", false),
    o("nbcnews.com", Lang::En, 5, "NBCNews", true),
    o("cbsnews.com", Lang::En, 5, "CBSNews", true),
    o("npr.org", Lang::En, 1, "NPR", true),
    o("usatoday.com", Lang::En, 1, "USATODAY", true),
    o("wsj.com", Lang::En, 5, "WSJ", true),
    o("bloomberg.com", Lang::En, 1, "business", true),
    o("politico.com", Lang::En, 1, "politico", true),
    o("thehill.com", Lang::En, 5, "thehill", false),
    o("axios.com", Lang::En, 1, "axios", true),
    o("nypost.com", Lang::En, 1, "nypost", false),
    o("latimes.com", Lang::En, 5, "latimes", true),
    o("breitbart.com", Lang::En, 1, "BreitbartNews", true),
    o("dailymail.co.uk", Lang::En, 7, "MailOnline", true),
    o("independent.co.uk", Lang::En, 7, "Independent", true),
    o("telegraph.co.uk", Lang::En, 0, "Telegraph", true),
    o("news.sky.com", Lang::En, 5, "SkyNews", false),
    o("aljazeera.com", Lang::En, 0, "AJEnglish", true),
    o("cnbc.com", Lang::En, 0, "CNBC", true),
    o("newsweek.com", Lang::En, 5, "Newsweek", true),
    o("time.com", Lang::En, 5, "TIME", false),
    o("theatlantic.com", Lang::En, 1, "TheAtlantic", true),
    o("vox.com", Lang::En, 5, "voxdotcom", true),
    o("huffpost.com", Lang::En, 5, "HuffPost", true),
    o("forbes.com", Lang::En, 0, "Forbes", true),
    o("businessinsider.com", Lang::En, 5, "BusinessInsider", true),
    o("ft.com", Lang::En, 5, "FT", true),
    o("economist.com", Lang::En, 0, "TheEconomist", true),
    o("mirror.co.uk", Lang::En, 5, "DailyMirror", true),
    o("express.co.uk", Lang::En, 5, "Daily_Express", true),
    o("thesun.co.uk", Lang::En, 5, "TheSun", true),
    o("dw.com", Lang::En, 6, "dwnews", true),
    o("euronews.com", Lang::En, 0, "euronews", true),
    o("abcnews.go.com", Lang::En, 5, "ABC", false),
    o("msnbc.com", Lang::En, 5, "MSNBC", true),
    o("spiegel.de", Lang::De, 6, "derspiegel", true),
    o("bild.de", Lang::De, 7, "BILD", true),
    o("zeit.de", Lang::De, 5, "zeitonline", true),
    o("faz.net", Lang::De, 7, "faznet", true),
    o("sueddeutsche.de", Lang::De, 5, "SZ", true),
    o("welt.de", Lang::De, 7, "welt", true),
    o("tagesschau.de", Lang::De, 7, "tagesschau", true),
    o("n-tv.de", Lang::De, 7, "ntvde", true),
    o("focus.de", Lang::De, 7, "focusonline", true),
    o("stern.de", Lang::De, 7, "sternde", true),
    o("t-online.de", Lang::De, 5, "tonline", true),
    o("tagesspiegel.de", Lang::De, 7, "Tagesspiegel", true),
    o("handelsblatt.com", Lang::De, 7, "handelsblatt", true),
    o("rnd.de", Lang::De, 5, "RND_de", true),
    o("merkur.de", Lang::De, 7, "merkur_de", true),
    o("lemonde.fr", Lang::Fr, 7, "lemondefr", true),
    o("lefigaro.fr", Lang::Fr, 5, "Le_Figaro", true),
    o("liberation.fr", Lang::Fr, 5, "libe", true),
    o("20minutes.fr", Lang::Fr, 5, "20Minutes", true),
    o("leparisien.fr", Lang::Fr, 7, "le_Parisien", true),
    o("francetvinfo.fr", Lang::Fr, 7, "franceinfo", true),
    o("bfmtv.com", Lang::Fr, 7, "BFMTV", true),
    o("ouest-france.fr", Lang::Fr, 7, "OuestFrance", true),
    o("lexpress.fr", Lang::Fr, 7, "LEXPRESS", true),
    o("lepoint.fr", Lang::Fr, 7, "LePoint", true),
    o("nouvelobs.com", Lang::Fr, 7, "lobs", true),
    o("mediapart.fr", Lang::Fr, 5, "Mediapart", true),
    o("elpais.com", Lang::Es, 7, "el_pais", false),
    o("elmundo.es", Lang::Es, 7, "elmundoes", true),
    o("abc.es", Lang::Es, 7, "abc_es", true),
    o("lavanguardia.com", Lang::Es, 7, "LaVanguardia", true),
    o("20minutos.es", Lang::Es, 5, "20m", true),
    o("eldiario.es", Lang::Es, 7, "eldiarioes", true),
    o("rtve.es", Lang::Es, 5, "rtve", true),
    o("larazon.es", Lang::Es, 7, "larazon_es", true),
    o("elconfidencial.com", Lang::Es, 7, "elconfidencial", true),
    o("publico.es", Lang::Es, 5, "publico_es", true),
    o("clarin.com", Lang::Es, 7, "clarincom", true),
    o("infobae.com", Lang::Es, 0, "infobae", true),
];

/// Non-news link targets organic accounts share (video, music, shops, code).
pub(crate) const OTHER_SITES: &[&str] = &[
    "youtube.com",
    "youtu.be",
    "instagram.com",
    "tiktok.com",
    "open.spotify.com",
    "amazon.com",
    "github.com",
    "reddit.com",
    "medium.com",
    "substack.com",
    "twitch.tv",
    "linkedin.com",
    "imdb.com",
    "wikipedia.org",
    "goodreads.com",
    "etsy.com",
];

/// Publicly documented lookalike domains of the kind used by cloned-news
/// ("Doppelganger") operations, with the outlet each imitates.
pub(crate) const KNOWN_LOOKALIKES: &[(&str, &str)] = &[
    ("washingtonpost.pm", "washingtonpost.com"),
    ("fox-news.top", "foxnews.com"),
    ("theguardian.co.com", "theguardian.com"),
    ("spiegel.ltd", "spiegel.de"),
    ("spiegel.agency", "spiegel.de"),
    ("bild.work", "bild.de"),
    ("welt.ltd", "welt.de"),
    ("faz.ltd", "faz.net"),
    ("leparisien.ltd", "leparisien.fr"),
    ("20minuts.com", "20minutes.fr"),
];

/// TLDs used for lookalike TLD swaps (cheap, newer gTLDs and ccTLDs).
pub(crate) const LOOKALIKE_TLDS: &[&str] = &[
    "ltd", "pm", "top", "work", "co.com", "news", "info", "online", "live", "agency", "pw", "icu", "cfd", "life",
    "press", "world", "today", "site", "eu.com", "co",
];

/// Words appended or prepended for combosquats (`spiegel-online.info`).
pub(crate) const COMBO_WORDS: &[&str] = &[
    "news", "online", "aktuell", "daily", "today", "live", "info", "24", "now", "media", "journal", "actu", "noticias",
    "report",
];

/// Name parts for slow-link sites: partisan-looking, invented outlets.
pub(crate) const SLOW_SITE_A: &[&str] = &[
    "patriot",
    "freedom",
    "truth",
    "liberty",
    "eagle",
    "nation",
    "citizen",
    "frontier",
    "heritage",
    "sovereign",
    "wahrheit",
    "freiheit",
    "volk",
    "verite",
    "libre",
    "patria",
    "verdad",
    "real",
    "independent",
    "alt",
    "voice",
    "shield",
    "awake",
];
pub(crate) const SLOW_SITE_B: &[&str] = &[
    "daily",
    "post",
    "wire",
    "report",
    "insider",
    "journal",
    "times",
    "today",
    "network",
    "pulse",
    "watch",
    "review",
    "bulletin",
    "kurier",
    "zeitung",
    "gazette",
    "chronicle",
    "diario",
    "news",
];
pub(crate) const SLOW_SITE_TLD: &[&str] = &["com", "net", "org", "news", "info", "online", "co"];

/// First names by language (for handles and display names).
const EN_FIRST: &[&str] = &[
    "james", "mary", "john", "linda", "michael", "sarah", "david", "emma", "chris", "jessica", "daniel", "ashley",
    "matt", "amanda", "josh", "megan", "ryan", "laura", "kevin", "rachel", "brian", "nicole", "jason", "katie", "tom",
    "olivia", "jack", "sophie", "harry", "chloe", "mike", "lucy", "ben", "grace", "sam", "ella", "alex", "zoe", "nate",
    "hannah", "tyler", "emily", "luke", "amy", "adam", "beth", "dan", "kate", "joe", "jen",
];
const EN_LAST: &[&str] = &[
    "smith", "johnson", "williams", "brown", "jones", "miller", "davis", "wilson", "taylor", "clark", "lewis",
    "walker", "hall", "allen", "young", "king", "wright", "scott", "green", "baker", "adams", "nelson", "hill",
    "campbell", "mitchell", "roberts", "carter", "phillips", "evans", "turner", "parker", "collins", "edwards",
    "stewart", "morris", "murphy", "cook", "rogers", "morgan", "cooper", "reed", "bailey", "bell", "kelly", "howard",
    "ward", "cox", "hughes", "price", "bennett",
];
const DE_FIRST: &[&str] = &[
    "lukas", "anna", "jonas", "lena", "felix", "laura", "max", "julia", "paul", "sarah", "leon", "lisa", "finn",
    "marie", "tim", "sophie", "jan", "hannah", "niklas", "lea", "tobias", "katrin", "stefan", "sabine", "markus",
    "nicole", "thomas", "petra", "michael", "sandra", "andreas", "claudia", "florian", "jana", "moritz", "mia", "sven",
    "nina", "dirk", "heike",
];
const DE_LAST: &[&str] = &[
    "mueller",
    "schmidt",
    "schneider",
    "fischer",
    "weber",
    "meyer",
    "wagner",
    "becker",
    "schulz",
    "hoffmann",
    "koch",
    "richter",
    "klein",
    "wolf",
    "schroeder",
    "neumann",
    "schwarz",
    "zimmermann",
    "braun",
    "krueger",
    "hofmann",
    "hartmann",
    "lange",
    "schmitt",
    "werner",
    "krause",
    "meier",
    "lehmann",
    "schmid",
    "schulze",
    "maier",
    "koehler",
    "herrmann",
    "walter",
    "koenig",
    "mayer",
    "huber",
    "kaiser",
    "fuchs",
    "peters",
];
const FR_FIRST: &[&str] = &[
    "lucas", "emma", "louis", "lea", "hugo", "chloe", "jules", "manon", "arthur", "camille", "nathan", "ines", "theo",
    "sarah", "paul", "julie", "antoine", "claire", "nicolas", "marie", "thomas", "pauline", "maxime", "lucie",
    "julien", "elise", "romain", "margaux", "baptiste", "anais", "quentin", "celine", "mathieu", "amelie", "vincent",
    "justine", "pierre", "alice",
];
const FR_LAST: &[&str] = &[
    "martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand", "leroy", "moreau", "simon",
    "laurent", "lefebvre", "michel", "garcia", "david", "bertrand", "roux", "vincent", "fournier", "morel", "girard",
    "andre", "mercier", "dupont", "lambert", "bonnet", "francois", "martinez", "legrand", "garnier", "faure",
    "rousseau", "blanc", "guerin", "muller", "henry", "roussel", "nicolas", "perrin",
];
const ES_FIRST: &[&str] = &[
    "hugo",
    "lucia",
    "mateo",
    "sofia",
    "martin",
    "maria",
    "pablo",
    "julia",
    "alejandro",
    "paula",
    "daniel",
    "valeria",
    "alvaro",
    "emma",
    "adrian",
    "daniela",
    "diego",
    "carla",
    "javier",
    "sara",
    "sergio",
    "marta",
    "carlos",
    "laura",
    "jorge",
    "ana",
    "david",
    "elena",
    "miguel",
    "irene",
    "raul",
    "cristina",
    "ivan",
    "nuria",
    "ruben",
    "silvia",
    "oscar",
    "alba",
];
const ES_LAST: &[&str] = &[
    "garcia",
    "rodriguez",
    "gonzalez",
    "fernandez",
    "lopez",
    "martinez",
    "sanchez",
    "perez",
    "gomez",
    "martin",
    "jimenez",
    "ruiz",
    "hernandez",
    "diaz",
    "moreno",
    "munoz",
    "alvarez",
    "romero",
    "alonso",
    "gutierrez",
    "navarro",
    "torres",
    "dominguez",
    "vazquez",
    "ramos",
    "gil",
    "ramirez",
    "serrano",
    "blanco",
    "molina",
    "morales",
    "suarez",
    "ortega",
    "delgado",
    "castro",
    "ortiz",
    "rubio",
    "marin",
    "sanz",
    "iglesias",
];

/// Words for hobby-style handles (`sunnycoffee92`).
pub(crate) const HANDLE_ADJ: &[&str] = &[
    "sunny", "lazy", "happy", "wild", "little", "crazy", "silent", "urban", "cosmic", "retro", "golden", "blue", "red",
    "midnight", "salty", "lucky", "tiny", "big", "real", "true", "old", "north", "quiet", "fuzzy", "rogue", "pixel",
    "neon", "iron", "snowy", "rainy",
];
pub(crate) const HANDLE_NOUN: &[&str] = &[
    "coffee", "panda", "fox", "wolf", "tiger", "reader", "gamer", "runner", "rider", "cat", "dog", "owl", "bear",
    "chef", "dreamer", "pilot", "coder", "nomad", "fan", "bird", "cookie", "mango", "lemon", "taco", "bean", "moon",
    "star", "river", "storm", "ghost", "knight", "writer", "hiker", "baker", "sailor", "viking", "ninja", "muffin",
    "potato", "banana",
];
/// Stage-name parts for celebrities.
pub(crate) const STAGE_FIRST: &[&str] = &[
    "Nova", "Luna", "Kai", "Zara", "Milo", "Aria", "Jax", "Skye", "Rio", "Lexi", "Dex", "Jade", "Orion", "Vega", "Nyx",
    "Remy", "Sasha", "Theo", "Ivy", "Leo",
];
pub(crate) const STAGE_LAST: &[&str] = &[
    "Starr", "Vale", "Rivers", "Blaze", "Knox", "Monroe", "Steele", "Fox", "Rain", "Cross", "Sky", "West", "Storm",
    "Reign", "Frost", "Wilde", "Gold", "Lane", "Ray", "Cruz",
];

/// Per-language vocabulary for posts, headlines and replies.
#[derive(Debug)]
pub(crate) struct LangVocab {
    pub(crate) first: &'static [&'static str],
    pub(crate) last: &'static [&'static str],
    /// Headline subjects (capitalised).
    pub(crate) h_subj: &'static [&'static str],
    /// Headline verbs (third person, present).
    pub(crate) h_verb: &'static [&'static str],
    /// Headline objects.
    pub(crate) h_obj: &'static [&'static str],
    /// Headline tails (may be empty strings).
    pub(crate) h_tail: &'static [&'static str],
    /// Section names for article URLs.
    pub(crate) sections: &'static [&'static str],
    /// Chatter templates; slots: {S} subject, {O} object, {T} time, {A} adjective,
    /// {F} feeling, {X} activity.
    pub(crate) chat: &'static [&'static str],
    pub(crate) subj: &'static [&'static str],
    pub(crate) obj: &'static [&'static str],
    pub(crate) time: &'static [&'static str],
    pub(crate) adj: &'static [&'static str],
    pub(crate) feeling: &'static [&'static str],
    pub(crate) activity: &'static [&'static str],
    /// Comments put in front of a shared link.
    pub(crate) link_comment: &'static [&'static str],
    /// Short replies.
    pub(crate) reply: &'static [&'static str],
    /// Quote-post comments.
    pub(crate) quote: &'static [&'static str],
    /// Everyday hashtags (ASCII only), most popular first.
    pub(crate) tags: &'static [&'static str],
    /// Political statements with `[a|b]` alternatives (copypasta templates).
    pub(crate) pasta: &'static [&'static str],
    /// Hostile replies with `[a|b]` alternatives (reply swarms).
    pub(crate) hostile: &'static [&'static str],
    /// Teasers the cloned-news operations post with their links.
    pub(crate) teaser: &'static [&'static str],
    /// Statements a repost-ring seed account posts.
    pub(crate) partisan: &'static [&'static str],
    /// Campaign hashtag parts for hashtag pushes.
    pub(crate) camp_a: &'static [&'static str],
    pub(crate) camp_b: &'static [&'static str],
}

/// Emojis (single code points) used in chatter, fan replies and edits.
pub(crate) const EMOJI: &[&str] = &[
    "😂", "🔥", "😍", "🙏", "👏", "💯", "😭", "🤔", "😡", "👀", "🙌", "💪", "🤣", "😱", "❤", "🚨", "👇", "✅", "🤦",
    "😎",
];

/// Fan replies to a celebrity post.
pub(crate) const FAN_REPLY: &[&str] = &[
    "omg yes",
    "QUEEN",
    "we love you",
    "iconic as always",
    "I'm screaming",
    "can't wait",
    "this is everything",
    "best day ever",
    "so proud of you",
    "legend",
    "streaming now",
    "the way I ran here",
    "obsessed",
    "take my money",
    "my heart",
];
/// Celebrity posts.
pub(crate) const CELEB_POST: &[&str] = &[
    "New music video out NOW",
    "Tour dates just dropped",
    "Thank you for an amazing night",
    "Studio day",
    "Guess what's coming Friday",
    "Rehearsals all week",
    "Love you all so much",
    "Behind the scenes from the shoot",
    "Tickets on sale tomorrow",
    "Tonight was magic",
    "Can't believe it's been a year",
    "Who's coming to the show?",
    "Surprise",
    "Listening party tonight",
    "Merch restock",
    "We did it",
];

pub(crate) static VOCAB: [LangVocab; 4] = [
    LangVocab {
        first: EN_FIRST,
        last: EN_LAST,
        h_subj: &[
            "Senate",
            "House Republicans",
            "Democrats",
            "White House",
            "Supreme Court",
            "Governor",
            "Fed",
            "Pentagon",
            "State Department",
            "Police",
            "City council",
            "Tech giants",
            "Investors",
            "Researchers",
            "Prime Minister",
            "Campaign",
            "Voters",
            "Union leaders",
            "Health officials",
            "Regulators",
            "Farmers",
            "Oil prices",
            "Ukraine",
            "NATO",
            "European Union",
            "China",
            "Wildfire",
            "Storm",
            "Olympic team",
            "Hollywood",
        ],
        h_verb: &[
            "passes",
            "rejects",
            "unveils",
            "delays",
            "backs",
            "warns of",
            "investigates",
            "approves",
            "blocks",
            "slams",
            "weighs",
            "announces",
            "faces",
            "cuts",
            "raises",
            "targets",
            "defends",
            "expands",
            "ends",
            "launches",
        ],
        h_obj: &[
            "budget deal",
            "border plan",
            "new tariffs",
            "climate bill",
            "rate cut",
            "election rules",
            "aid package",
            "tax hike",
            "AI rules",
            "debate schedule",
            "housing plan",
            "ceasefire proposal",
            "strike deal",
            "gun law",
            "health reform",
            "student loans",
            "energy prices",
            "trade talks",
            "security funding",
            "vaccine rollout",
        ],
        h_tail: &[
            "",
            "",
            "after late-night talks",
            "amid growing pressure",
            "ahead of the vote",
            "as crisis deepens",
            "in surprise move",
            "despite protests",
            "for second time",
            "after months of debate",
            "as deadline looms",
            "in landmark ruling",
        ],
        sections: &[
            "politics",
            "world",
            "us",
            "business",
            "technology",
            "sport",
            "opinion",
            "science",
            "health",
            "climate",
        ],
        chat: &[
            "Can't believe {S} is {A} {T}",
            "{F} {S} is {A} {T}",
            "Anyone else {X} {T}?",
            "Just {X}. {F}",
            "{S} really ruined {O} {T} lol",
            "Hot take: {O} is {A}",
            "Not me {X} {T}",
            "Why is {S} always like this {T}",
            "{O} {T}? Count me in",
            "Honestly {O} is {A}",
            "Reminder that {S} is {A}",
            "{T} I'm {X}",
        ],
        subj: &[
            "my neighbour",
            "the new mayor",
            "this team",
            "my boss",
            "the weather",
            "my cat",
            "this city",
            "the internet",
            "my phone",
            "the bus",
            "the coach",
            "this show",
        ],
        obj: &[
            "pizza",
            "the finale",
            "traffic",
            "the game",
            "coffee",
            "the new album",
            "rent",
            "the debate",
            "Monday",
            "the match",
            "this heat",
            "the playoffs",
            "the update",
        ],
        time: &[
            "today",
            "tonight",
            "this morning",
            "again",
            "right now",
            "this week",
            "lately",
            "every single time",
            "already",
        ],
        adj: &[
            "wild",
            "amazing",
            "overrated",
            "underrated",
            "so good",
            "a mess",
            "unreal",
            "hilarious",
            "exhausting",
            "perfect",
        ],
        feeling: &["Wow.", "Ugh.", "Honestly?", "Lol.", "Yikes.", "Love it.", "Mood.", "Sigh."],
        activity: &[
            "watching the game",
            "making coffee",
            "stuck in traffic",
            "reading",
            "cooking dinner",
            "going for a run",
            "working late",
            "binge watching",
            "cleaning",
            "walking the dog",
        ],
        link_comment: &[
            "",
            "",
            "Worth a read:",
            "Wow.",
            "This.",
            "Interesting.",
            "Unbelievable",
            "Thread-worthy:",
            "Must read",
            "Huge if true",
            "Here we go again",
            "Good piece",
        ],
        reply: &[
            "This!",
            "So true",
            "Source?",
            "Couldn't agree more",
            "lol",
            "No way",
            "Exactly",
            "Well said",
            "Hard disagree",
            "Thanks for sharing",
            "Wait what",
            "100%",
        ],
        quote: &[
            "Big if true",
            "This is important",
            "Read this",
            "Saying this for months",
            "Yikes",
            "Wow",
            "Not surprised",
        ],
        tags: &[
            "news",
            "breaking",
            "politics",
            "NBA",
            "MLB",
            "tech",
            "AI",
            "music",
            "movies",
            "weather",
            "Olympics",
            "Paris2024",
            "election",
            "crypto",
            "gaming",
            "football",
            "climate",
            "health",
            "travel",
            "food",
            "books",
            "art",
            "photography",
            "fitness",
            "MondayMotivation",
            "TBT",
            "science",
            "space",
            "economy",
            "jobs",
        ],
        pasta: &[
            "They [lied|have lied] to us about [the war|this war] from day one. [Wake up|Open your eyes], America!",
            "[Our|My] tax dollars should [stay|be spent] at home, not [sent|shipped] overseas. Enough is enough!",
            "The [media|mainstream media] will never tell you [this|the truth]. Share before it gets [deleted|censored]!",
            "[Nobody|No one] voted for this [mess|disaster]. The people deserve [answers|the truth] NOW.",
            "Every [family|household] is paying more while [politicians|elites] look away. [Shameful|Disgraceful].",
            "[I|We] stand with the farmers. [No farmers|No farms], no food!",
        ],
        hostile: &[
            "[Nobody|No one] asked for your opinion. [Delete this|Do better].",
            "Another [hit piece|propaganda piece] from a [paid|bought] hack. [Shameful|Pathetic].",
            "You [should be|ought to be] ashamed of this [so-called|fake] journalism.",
            "[Lies|More lies]. Who [pays|is paying] you to write this?",
            "[Unfollowing|Muted]. You people [never learn|are the problem].",
            "This is [exactly|precisely] why no one [trusts|believes] the media anymore.",
        ],
        teaser: &[
            "Must read",
            "They don't want you to see this",
            "Finally someone says it",
            "Read before it's gone",
            "Shocking report",
            "Wow, just wow",
            "The truth is out",
        ],
        partisan: &[
            "The radical agenda is destroying this country",
            "Our borders are wide open and they don't care",
            "Time to take our country back",
            "Proud to stand for freedom",
            "They fear us because we tell the truth",
            "The system is rigged against working people",
            "Share if you agree",
        ],
        camp_a: &["Stop", "Save", "Defend", "Protect", "Expose", "Boycott", "Free", "Dump", "Fire", "Reject"],
        camp_b: &[
            "OurBorders",
            "Farmers",
            "TheTruth",
            "Freedom",
            "Ukraine",
            "TheVote",
            "BigTech",
            "Sanctions",
            "Elites",
            "OurKids",
        ],
    },
    LangVocab {
        first: DE_FIRST,
        last: DE_LAST,
        h_subj: &[
            "Bundesregierung",
            "Kanzler",
            "Bundestag",
            "Opposition",
            "Grüne",
            "Union",
            "SPD",
            "FDP",
            "Polizei",
            "Bahn",
            "Gewerkschaft",
            "Forscher",
            "Bundesrat",
            "Verfassungsgericht",
            "Länder",
            "Wirtschaftsminister",
            "Ampel",
            "Landwirte",
            "Ukraine",
            "EU",
        ],
        h_verb: &[
            "beschließt",
            "stoppt",
            "plant",
            "kritisiert",
            "verschiebt",
            "fordert",
            "warnt vor",
            "prüft",
            "billigt",
            "streicht",
            "verteidigt",
            "kündigt an",
        ],
        h_obj: &[
            "Haushalt",
            "Heizungsgesetz",
            "Tempolimit",
            "Bürgergeld",
            "Rentenreform",
            "Streik",
            "Schuldenbremse",
            "Waffenlieferungen",
            "Mindestlohn",
            "Migrationspaket",
            "Strompreise",
            "Deutschlandticket",
        ],
        h_tail: &[
            "",
            "",
            "nach Streit",
            "trotz Kritik",
            "vor der Wahl",
            "in letzter Minute",
            "nach langen Verhandlungen",
        ],
        sections: &["politik", "wirtschaft", "panorama", "sport", "kultur", "ausland", "inland", "wissenschaft"],
        chat: &[
            "Kann nicht glauben, dass {S} {T} {O} macht",
            "{F} {S} ist {T} {A}",
            "Noch jemand {X} {T}?",
            "Gerade {X}. {F}",
            "{O} {T}? Bin dabei",
            "Ehrlich gesagt ist {O} {A}",
            "{T} mal wieder {X}",
        ],
        subj: &["mein Nachbar", "der Chef", "die Bahn", "das Wetter", "meine Katze", "die Stadt", "das Team"],
        obj: &["Kaffee", "das Spiel", "die Miete", "Stau", "das Finale", "Montag", "die Hitze", "Pizza"],
        time: &["heute", "heute Abend", "schon wieder", "gerade", "diese Woche", "jeden Tag"],
        adj: &["super", "unglaublich", "überbewertet", "chaotisch", "perfekt", "anstrengend", "lustig"],
        feeling: &["Wow.", "Puh.", "Ehrlich?", "Haha.", "Krass.", "Herrlich.", "Seufz."],
        activity: &["im Stau", "am Kochen", "am Lesen", "joggen", "Überstunden machen", "Fußball schauen", "aufräumen"],
        link_comment: &["", "", "Lesenswert:", "Wow.", "Unglaublich", "Interessant.", "Das hier.", "Bitte lesen"],
        reply: &["Genau!", "Stimmt", "Quelle?", "Sehe ich auch so", "Nein", "Haha", "Danke fürs Teilen", "Echt jetzt?"],
        quote: &["Wichtig", "Lesen!", "Sag ich doch", "Krass", "Kein Wunder"],
        tags: &[
            "news",
            "Bundestag",
            "Berlin",
            "Fußball",
            "Politik",
            "Wetter",
            "Klima",
            "Bahn",
            "Bundesliga",
            "tatort",
            "Wirtschaft",
            "Olympia",
            "Kultur",
            "Musik",
            "Hamburg",
        ],
        pasta: &[
            "Unsere [Steuergelder|Steuern] gehören [nach Deutschland|ins eigene Land], nicht ins Ausland. Es reicht!",
            "Die [Medien|Mainstream-Medien] verschweigen [das|die Wahrheit]. Teilen, bevor es [gelöscht|zensiert] wird!",
            "Niemand hat [dieses Chaos|diesen Wahnsinn] gewählt. Wir wollen [Antworten|Neuwahlen] JETZT.",
            "[Die Regierung|Die Ampel] ruiniert [unser Land|Deutschland]. Aufwachen!",
            "Ohne [Bauern|Landwirte] kein Essen. [Wir stehen|Ich stehe] hinter euch!",
        ],
        hostile: &[
            "[Niemand|Keiner] hat nach Ihrer Meinung gefragt. [Löschen|Peinlich].",
            "Wieder so ein [Hetzartikel|Propagandaartikel]. [Schämen Sie sich|Erbärmlich].",
            "[Lügen|Nur Lügen]. Wer [bezahlt|finanziert] Sie eigentlich?",
            "Genau deshalb [glaubt|vertraut] niemand mehr den Medien.",
        ],
        teaser: &[
            "Lesen!",
            "Das wollen sie nicht zeigen",
            "Endlich sagt es jemand",
            "Unglaublicher Bericht",
            "Die Wahrheit kommt raus",
        ],
        partisan: &[
            "Die Regierung hat jeden Bezug zur Realität verloren",
            "Es reicht, wir holen uns unser Land zurück",
            "Teilen, wenn du zustimmst",
            "Sie haben Angst vor der Wahrheit",
        ],
        camp_a: &["Stoppt", "Rettet", "Schützt", "Neuwahlen", "Boykott", "NeinZu"],
        camp_b: &["Bauern", "Meinungsfreiheit", "Heizgesetz", "Ampel", "Sanktionen", "Rente"],
    },
    LangVocab {
        first: FR_FIRST,
        last: FR_LAST,
        h_subj: &[
            "Gouvernement",
            "Assemblée",
            "Sénat",
            "Premier ministre",
            "Opposition",
            "Syndicats",
            "Police",
            "Chercheurs",
            "Mairie de Paris",
            "Agriculteurs",
            "Conseil constitutionnel",
            "Élysée",
            "Ukraine",
            "UE",
        ],
        h_verb: &[
            "adopte", "rejette", "annonce", "repousse", "critique", "prépare", "menace", "défend", "lance", "suspend",
        ],
        h_obj: &[
            "réforme des retraites",
            "budget",
            "loi immigration",
            "hausse des prix",
            "grève",
            "plan climat",
            "aide à l'Ukraine",
            "prix de l'énergie",
            "dissolution",
            "assurance chômage",
        ],
        h_tail: &["", "", "malgré la colère", "avant le vote", "après des semaines de débat", "en urgence"],
        sections: &["politique", "international", "economie", "societe", "sport", "culture", "planete"],
        chat: &[
            "Je n'arrive pas à croire que {S} soit {A} {T}",
            "{F} {S} est {A} {T}",
            "Quelqu'un d'autre {X} {T} ?",
            "Je suis en train de {X}. {F}",
            "Franchement {O} c'est {A}",
        ],
        subj: &["mon voisin", "le patron", "la SNCF", "la météo", "mon chat", "cette ville", "l'équipe"],
        obj: &["le café", "le match", "le loyer", "les bouchons", "la finale", "lundi", "la chaleur"],
        time: &["aujourd'hui", "ce soir", "encore", "en ce moment", "cette semaine", "tous les jours"],
        adj: &["génial", "incroyable", "surcoté", "le chaos", "parfait", "épuisant", "drôle"],
        feeling: &["Wow.", "Pff.", "Franchement ?", "Mdr.", "Dingue.", "Trop bien."],
        activity: &["cuisiner", "lire", "courir", "bosser tard", "regarder le match", "ranger"],
        link_comment: &["", "", "À lire :", "Wow.", "Incroyable", "Intéressant.", "Ça."],
        reply: &["Exactement !", "Tellement vrai", "Source ?", "D'accord", "Mdr", "Non mais", "Merci"],
        quote: &["Important", "À lire", "Je le disais", "Pas surpris"],
        tags: &["info", "Paris", "politique", "JO2024", "Paris2024", "météo", "foot", "culture", "musique", "climat"],
        pasta: &[
            "Nos [impôts|taxes] doivent rester [en France|chez nous], pas partir à l'étranger. Ça suffit !",
            "Les [médias|médias officiels] ne vous diront jamais [ça|la vérité]. Partagez avant [suppression|la censure] !",
            "Personne n'a voté pour [ce chaos|ce désastre]. Nous voulons [des réponses|la vérité] MAINTENANT.",
            "Pas de [paysans|agriculteurs], pas de nourriture. [Soutien total|Je soutiens] !",
        ],
        hostile: &[
            "[Personne|Nul] ne vous a demandé votre avis. [Honteux|Pathétique].",
            "Encore un article de [propagande|désinformation]. Qui vous [paie|finance] ?",
            "Voilà [pourquoi|exactement pourquoi] plus personne ne croit les médias.",
        ],
        teaser: &[
            "À lire absolument",
            "Ils ne veulent pas que vous voyiez ça",
            "Enfin quelqu'un le dit",
            "La vérité éclate",
        ],
        partisan: &[
            "Ce gouvernement a perdu tout contact avec le peuple",
            "Reprenons notre pays",
            "Partagez si vous êtes d'accord",
            "Ils ont peur de la vérité",
        ],
        camp_a: &["Stop", "Sauvons", "Défendons", "Boycott", "Non"],
        camp_b: &["NosAgriculteurs", "LaLiberte", "LaReforme", "Sanctions", "NosRetraites"],
    },
    LangVocab {
        first: ES_FIRST,
        last: ES_LAST,
        h_subj: &[
            "Gobierno",
            "Congreso",
            "Oposición",
            "Presidente",
            "Sindicatos",
            "Policía",
            "Investigadores",
            "Ayuntamiento",
            "Agricultores",
            "Tribunal Supremo",
            "Ucrania",
            "UE",
        ],
        h_verb: &["aprueba", "rechaza", "anuncia", "aplaza", "critica", "prepara", "defiende", "lanza", "frena"],
        h_obj: &[
            "presupuestos",
            "ley de vivienda",
            "subida de precios",
            "huelga",
            "reforma laboral",
            "amnistía",
            "plan climático",
            "precio de la luz",
            "pensiones",
        ],
        h_tail: &["", "", "pese a las críticas", "antes de la votación", "tras semanas de debate", "por sorpresa"],
        sections: &["politica", "internacional", "economia", "sociedad", "deportes", "cultura"],
        chat: &[
            "No puedo creer que {S} esté {A} {T}",
            "{F} {S} está {A} {T}",
            "¿Alguien más {X} {T}?",
            "Ahora mismo {X}. {F}",
            "Sinceramente {O} es {A}",
        ],
        subj: &["mi vecino", "el jefe", "el metro", "el tiempo", "mi gato", "esta ciudad", "el equipo"],
        obj: &["el café", "el partido", "el alquiler", "el atasco", "la final", "el lunes", "el calor"],
        time: &["hoy", "esta noche", "otra vez", "ahora mismo", "esta semana", "cada día"],
        adj: &["genial", "increíble", "sobrevalorado", "un caos", "perfecto", "agotador", "divertido"],
        feeling: &["Guau.", "Uf.", "¿En serio?", "Jajaja.", "Brutal.", "Me encanta."],
        activity: &["cocinando", "leyendo", "corriendo", "trabajando tarde", "viendo el partido", "limpiando"],
        link_comment: &["", "", "Para leer:", "Guau.", "Increíble", "Interesante.", "Esto."],
        reply: &["¡Exacto!", "Muy cierto", "¿Fuente?", "Totalmente", "Jajaja", "Qué va", "Gracias"],
        quote: &["Importante", "Leed esto", "Lo venía diciendo", "Sin sorpresas"],
        tags: &[
            "noticias",
            "Madrid",
            "política",
            "fútbol",
            "LaLiga",
            "Barcelona",
            "clima",
            "música",
            "cine",
            "economía",
        ],
        pasta: &[
            "Nuestros [impuestos|euros] deben quedarse [en España|en casa], no irse fuera. ¡Basta ya!",
            "Los [medios|medios oficiales] nunca te contarán [esto|la verdad]. ¡Comparte antes de que lo [borren|censuren]!",
            "Nadie votó por [este caos|este desastre]. Queremos [respuestas|la verdad] YA.",
        ],
        hostile: &[
            "[Nadie|Nadie nunca] te pidió tu opinión. [Vergonzoso|Patético].",
            "Otro artículo de [propaganda|manipulación]. ¿Quién te [paga|financia]?",
            "Por esto [nadie|ya nadie] se cree a los medios.",
        ],
        teaser: &["Hay que leerlo", "No quieren que veas esto", "Por fin alguien lo dice", "La verdad sale a la luz"],
        partisan: &[
            "Este gobierno ha perdido el contacto con la realidad",
            "Recuperemos nuestro país",
            "Comparte si estás de acuerdo",
            "Tienen miedo de la verdad",
        ],
        camp_a: &["Stop", "Salvemos", "Defendamos", "Boicot", "No"],
        camp_b: &["NuestrosAgricultores", "LaLibertad", "LaAmnistia", "Sanciones", "Pensiones"],
    },
];

/// ASCII-folds a word for URL slugs and handles (ä→ae, é→e, ñ→n, …); other
/// non-alphanumerics become `-`.
pub(crate) fn fold_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            'ä' | 'Ä' => out.push_str("ae"),
            'ö' | 'Ö' => out.push_str("oe"),
            'ü' | 'Ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'à' | 'á' | 'â' | 'À' | 'Á' | 'Â' => out.push('a'),
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => out.push('e'),
            'í' | 'î' | 'ï' | 'Í' | 'Î' => out.push('i'),
            'ó' | 'ô' | 'Ó' | 'Ô' => out.push('o'),
            'ú' | 'û' | 'Ú' | 'Û' => out.push('u'),
            'ñ' | 'Ñ' => out.push('n'),
            'ç' | 'Ç' => out.push('c'),
            _ => {
                if !out.ends_with('-') && !out.is_empty() {
                    out.push('-');
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_are_single_words() {
        for v in &VOCAB {
            for t in v.tags.iter().chain(v.camp_a).chain(v.camp_b) {
                // Anything else would cut the hashtag short in the entity scanner.
                assert!(t.chars().all(|c| c.is_alphanumeric() || c == '_'), "{t}");
            }
        }
    }

    #[test]
    fn no_list_is_empty() {
        // `Rand::pick` needs non-empty lists.
        for v in &VOCAB {
            let lists: [&[&str]; 22] = [
                v.first,
                v.last,
                v.h_subj,
                v.h_verb,
                v.h_obj,
                v.h_tail,
                v.sections,
                v.chat,
                v.subj,
                v.obj,
                v.time,
                v.adj,
                v.feeling,
                v.activity,
                v.link_comment,
                v.reply,
                v.quote,
                v.tags,
                v.pasta,
                v.hostile,
                v.teaser,
                v.partisan,
            ];
            assert!(lists.iter().all(|l| !l.is_empty()));
            assert!(!v.camp_a.is_empty() && !v.camp_b.is_empty());
            assert!(v.pasta.len() >= 3, "copypasta ops draw up to three templates");
        }
    }

    #[test]
    fn templates_balance_brackets() {
        for v in &VOCAB {
            for t in v.pasta.iter().chain(v.hostile) {
                assert_eq!(t.matches('[').count(), t.matches(']').count(), "{t}");
            }
        }
    }

    #[test]
    fn fold_strips_accents() {
        let mut s = String::new();
        fold_into(&mut s, "Aide à l'Ukraine: Bürgergeld!");
        assert_eq!(s, "aide-a-l-ukraine-buergergeld-");
    }
}
