"""Demo home page, written in Spanish and translated by hand into the other seven languages."""

TITLE = "Bienvenido a Croody"
SLUG = "inicio"
INTRO = (
    "Entrena con Buddy, tu entrenador con inteligencia artificial, equipa tu progreso "
    "en la tienda y sigue a tus robots en tiempo real."
)

TRANSLATIONS = {
    TITLE: {
        "en": "Welcome to Croody",
        "fr": "Bienvenue sur Croody",
        "pt": "Bem-vindo ao Croody",
        "ar": "مرحبًا بك في كرودي",
        "zh-hans": "欢迎来到 Croody",
        "ja": "Croody へようこそ",
        "hi": "Croody में आपका स्वागत है",
    },
    # Home pages of all locales are siblings under the tree root, so slugs must differ.
    SLUG: {
        "en": "home",
        "fr": "accueil",
        "pt": "pagina-inicial",
        "ar": "الرئيسية",
        "zh-hans": "首页",
        "ja": "ホーム",
        "hi": "मुखपृष्ठ",
    },
    INTRO: {
        "en": "Train with Buddy, your AI coach, gear up in the shop and follow your robots "
        "in real time.",
        "fr": "Entraînez-vous avec Buddy, votre coach doté d'intelligence artificielle, "
        "équipez-vous dans la boutique et suivez vos robots en temps réel.",
        "pt": "Treine com o Buddy, o seu treinador com inteligência artificial, equipe-se na "
        "loja e acompanhe os seus robôs em tempo real.",
        "ar": "تدرّب مع بادي، مدربك بالذكاء الاصطناعي، وتجهّز من المتجر، وتابع روبوتاتك "
        "في الوقت الفعلي.",
        "zh-hans": "与你的人工智能教练 Buddy 一起训练，在商店中选购装备，并实时跟踪你的机器人。",
        "ja": "AI コーチの Buddy とトレーニングし、ショップで装備をそろえ、"
        "ロボットをリアルタイムで見守りましょう。",
        "hi": "अपने एआई कोच Buddy के साथ प्रशिक्षण लें, दुकान से सामान लें और अपने रोबोट को रीयल टाइम में देखें।",
    },
}
