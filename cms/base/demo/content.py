"""The demo site's Spanish source content.

Every string here is translated in `translations/<language>.json` (source text ->
translation); the loader refuses to publish a translation with a string missing.
StreamField values are written as Wagtail stores them: lists of {"type", "value"}.
"""

import uuid
from typing import Any, TypedDict

# Keys of pages other pages link to; the loader resolves them to page ids.
HOME, BUDDY, TRAINING, PROGRESS, ABOUT, PRIVACY, ROBOTS = (
    "home",
    "buddy",
    "training",
    "progress",
    "about",
    "privacy",
    "robots",
)
SHOP = "shop"  # the catalogue page, made by cms.shop.demo.build_shop


def block(kind: str, value: Any) -> dict[str, Any]:
    return {"type": kind, "value": value}


def items(*values: Any) -> list[dict[str, Any]]:
    """ListBlock items as Wagtail stores them, each with an id: wagtail-localize extracts
    list items for translation only in this form (a plain list stays Spanish everywhere)."""
    return [{"type": "item", "value": value, "id": str(uuid.uuid4())} for value in values]


HOME_PAGE = {
    "title": "Bienvenido a Croody",
    "slug": "inicio",
    "intro": (
        "Entrena con Buddy, tu entrenador con inteligencia artificial, equipa tu progreso "
        "en la tienda y sigue a tus robots en tiempo real."
    ),
    "search_description": (
        "Croody reúne a Buddy, tu entrenador con IA, una tienda para entrenar mejor "
        "y la telemetría de tus robots."
    ),
    "hero_cta_label": "Conoce a Buddy",
    "ecosystem_heading": "Un ecosistema, tres piezas",
}


def home_streams(pages: dict[str, int], images: dict[str, int]) -> dict[str, list]:
    return {
        "metrics": [
            block("metric", {"value": "12k+", "label": "deportistas entrenan con Buddy"}),
            block("metric", {"value": "94 %", "label": "de los planes semanales completados"}),
            block("metric", {"value": "8", "label": "idiomas, del español al hindi"}),
            block("metric", {"value": "24/7", "label": "robots vigilados en tiempo real"}),
        ],
        "ecosystem": [
            block(
                "card",
                {
                    "title": "Buddy",
                    "text": "Un entrenador con IA que ajusta tu plan después de cada sesión.",
                    "image": images["coach"],
                    "page": pages[BUDDY],
                },
            ),
            block(
                "card",
                {
                    "title": "Tienda",
                    "text": "Material elegido para tu plan: calzado, sensores y recuperación.",
                    "image": images["shop"],
                    "page": pages[SHOP],
                },
            ),
            block(
                "card",
                {
                    "title": "Robots",
                    "text": "Tus robots envían su posición y batería; tú los ves moverse en vivo.",
                    "image": images["robots"],
                    "page": pages[ROBOTS],
                },
            ),
        ],
        "body": [
            block(
                "feature_grid",
                {
                    "heading": "Por qué Croody",
                    "features": items(
                        {
                            "icon": "spark",
                            "title": "Planes que se adaptan",
                            "text": "Cada semana Buddy revisa lo que hiciste y cambia lo que sigue.",
                        },
                        {
                            "icon": "shield",
                            "title": "Tus datos, bajo llave",
                            "text": "Tus claves de API nunca se guardan en claro y solo tú ves tus robots.",
                        },
                        {
                            "icon": "chat",
                            "title": "En tu idioma",
                            "text": "Croody habla ocho idiomas, también de derecha a izquierda.",
                        },
                    ),
                },
            ),
            block(
                "quote",
                {
                    "quote": (
                        "Buddy convirtió el entrenamiento en un hábito: sé qué toca hoy y por qué."
                    ),
                    "attribution": "Lucía Fernández",
                    "role": "corredora de media maratón",
                },
            ),
            block(
                "call_to_action",
                {
                    "title": "Empieza hoy",
                    "text": "Buddy prepara tu primer plan en dos minutos.",
                    "button_label": "Descubre Buddy",
                    "page": pages[BUDDY],
                    "url": "",
                    "style": "primary",
                },
            ),
        ],
    }


BUDDY_PAGE = {
    "title": "Buddy, tu entrenador con IA",
    "slug": "buddy",
    "intro": (
        "Buddy aprende de cada entrenamiento y prepara el siguiente: ni demasiado fácil "
        "ni demasiado duro."
    ),
    "search_description": "Qué hace Buddy, cómo entrena contigo, sus planes y respuestas.",
}


def buddy_streams(pages: dict[str, int], images: dict[str, int]) -> dict[str, list]:
    return {
        "body": [
            block(
                "feature_grid",
                {
                    "heading": "Qué hace Buddy",
                    "features": items(
                        {
                            "icon": "spark",
                            "title": "Diseña tu plan",
                            "text": "A partir de tu objetivo, tu nivel y los días que tienes libres.",
                        },
                        {
                            "icon": "chart",
                            "title": "Mide tu progreso",
                            "text": "Ritmo, carga y descanso en gráficas que se entienden.",
                        },
                        {
                            "icon": "heart",
                            "title": "Cuida tu recuperación",
                            "text": "Si duermes mal o te duele algo, Buddy baja la intensidad.",
                        },
                        {
                            "icon": "clock",
                            "title": "Se ajusta a tu agenda",
                            "text": "¿Perdiste una sesión? Buddy reorganiza la semana.",
                        },
                    ),
                },
            ),
            block(
                "plans",
                {
                    "heading": "Planes",
                    "plans": items(
                        {
                            "name": "Gratis",
                            "price": "0 €",
                            "period": "para siempre",
                            "features": items("Un plan semanal", "Registro de sesiones"),
                            "button_label": "Empieza gratis",
                            "highlighted": False,
                        },
                        {
                            "name": "Pro",
                            "price": "9,99 €",
                            "period": "al mes",
                            "features": items(
                                "Planes que se ajustan cada día",
                                "Análisis de progreso",
                                "Conexión con tus robots",
                            ),
                            "button_label": "Prueba Pro",
                            "highlighted": True,
                        },
                        {
                            "name": "Equipo",
                            "price": "29 €",
                            "period": "al mes, hasta 10 personas",
                            "features": items("Todo lo de Pro", "Panel para entrenadores"),
                            "button_label": "Habla con nosotros",
                            "highlighted": False,
                        },
                    ),
                },
            ),
            block(
                "faq",
                {
                    "heading": "Preguntas frecuentes",
                    "questions": items(
                        {
                            "question": "¿Necesito experiencia para empezar?",
                            "answer": (
                                "<p>No. Buddy empieza con sesiones cortas y sube la "
                                "exigencia cuando tu cuerpo está listo.</p>"
                            ),
                        },
                        {
                            "question": "¿Puedo cancelar cuando quiera?",
                            "answer": (
                                "<p>Sí. Cancelas desde tu perfil y conservas tu historial.</p>"
                            ),
                        },
                        {
                            "question": "¿Qué hace Buddy con mis datos?",
                            "answer": (
                                "<p>Los usa solo para preparar tus planes. Nunca los vende "
                                "ni los comparte.</p>"
                            ),
                        },
                    ),
                },
            ),
            block(
                "video_link",
                {
                    "title": "Buddy en dos minutos",
                    "url": "https://video.croody.example/buddy",
                    "thumbnail": images["coach"],
                    "duration": "2:04",
                },
            ),
        ]
    }


TRAINING_PAGE = {
    "title": "Cómo funciona el entrenamiento",
    "slug": "como-funciona",
    "intro": "Cuatro pasos, de tu objetivo a la primera sesión, y un ajuste tras cada una.",
    "search_description": "Los pasos del entrenamiento con Buddy.",
}


def training_streams(pages: dict[str, int], images: dict[str, int]) -> dict[str, list]:
    return {
        "body": [
            block("heading", {"text": "De tu objetivo a tu plan", "level": "h2"}),
            block(
                "paragraph",
                "<p>Cuéntale a Buddy qué quieres conseguir: correr tus primeros cinco "
                "kilómetros, ganar fuerza o volver tras una lesión. Buddy propone una "
                "semana de prueba y la ajusta con lo que aprende de ti.</p>",
            ),
            block(
                "image",
                {
                    "image": images["track"],
                    "alt_text": "Pista de atletismo al amanecer con las calles marcadas.",
                    "caption": "Cada sesión queda registrada para ajustar la siguiente.",
                },
            ),
            block("heading", {"text": "Después de cada sesión", "level": "h2"}),
            block(
                "paragraph",
                "<ul><li>Registras cómo te sentiste.</li><li>Buddy compara lo previsto "
                "con lo real.</li><li>El plan de mañana cambia si hace falta.</li></ul>",
            ),
        ]
    }


PROGRESS_PAGE = {
    "title": "Seguimiento del progreso",
    "slug": "progreso",
    "intro": "Gráficas claras de carga, ritmo y descanso, y metas que puedes ver cumplirse.",
    "search_description": "Cómo sigue Buddy tu progreso.",
}


def progress_streams(pages: dict[str, int], images: dict[str, int]) -> dict[str, list]:
    return {
        "body": [
            block(
                "metrics",
                {
                    "heading": "Lo que Buddy mide",
                    "metrics": items(
                        {"value": "7", "label": "días de carga acumulada"},
                        {"value": "3", "label": "zonas de intensidad"},
                        {"value": "1", "label": "meta clara cada semana"},
                    ),
                },
            ),
            block(
                "paragraph",
                "<p>Si la carga sube demasiado rápido, Buddy te avisa antes de que "
                "aparezca el cansancio.</p>",
            ),
        ]
    }


ABOUT_PAGE = {
    "title": "Sobre Croody",
    "slug": "sobre-croody",
    "intro": "Hacemos que entrenar sea claro, constante y tuyo.",
    "search_description": "Quiénes somos y qué construimos en Croody.",
}


def about_streams(pages: dict[str, int], images: dict[str, int]) -> dict[str, list]:
    return {
        "body": [
            block(
                "paragraph",
                "<p>Croody nació en un club de atletismo: queríamos un entrenador que "
                "estuviera siempre disponible y que explicara sus decisiones. Hoy ese "
                "entrenador se llama Buddy.</p>",
            ),
            block(
                "quote",
                {
                    "quote": "La mejor sesión es la que puedes repetir mañana.",
                    "attribution": "Equipo de Croody",
                    "role": "",
                },
            ),
        ]
    }


PRIVACY_PAGE = {
    "title": "Privacidad",
    "slug": "privacidad",
    "intro": "Qué datos guardamos, para qué y cómo puedes borrarlos.",
    "search_description": "Política de privacidad de Croody.",
}


def privacy_streams(pages: dict[str, int], images: dict[str, int]) -> dict[str, list]:
    return {
        "body": [
            block("heading", {"text": "Qué guardamos", "level": "h2"}),
            block(
                "paragraph",
                "<p>Tu cuenta, tus preferencias, tus sesiones y las lecturas de tus "
                "robots. Las claves de API se guardan solo como huella cifrada.</p>",
            ),
            block("heading", {"text": "Tus derechos", "level": "h2"}),
            block(
                "paragraph",
                "<p>Puedes descargar o borrar tus datos desde tu perfil en cualquier momento.</p>",
            ),
        ]
    }


ROBOTS_PAGE = {
    "title": "Tus robots en directo",
    "slug": "robots",
    "intro": (
        "Los robots de Croody te acompañan al entrenar y envían su posición y su batería; "
        "tú los sigues en vivo desde tu perfil."
    ),
    "search_description": "Cómo envían tus robots su telemetría y dónde la ves en directo.",
}


def robots_streams(pages: dict[str, int], images: dict[str, int]) -> dict[str, list]:
    return {
        "body": [
            block("heading", {"text": "Cómo funciona", "level": "h2"}),
            block(
                "paragraph",
                "<ul><li>Registras tu robot en tu perfil, en «Mis robots», y creas una clave "
                "de API para él.</li><li>El robot envía sus lecturas (posición y batería) a la "
                "API de telemetría con esa clave.</li><li>En «Mis robots» ves en un mapa dónde "
                "está cada robot y cuánta batería le queda, en tiempo real.</li></ul>",
            ),
            block("heading", {"text": "Solo tú ves tus robots", "level": "h2"}),
            block(
                "paragraph",
                "<p>Las claves de API se guardan solo como huella cifrada y puedes revocarlas "
                "cuando quieras: una clave revocada deja de aceptarse en segundos.</p>",
            ),
            block(
                "paragraph",
                '<p><a href="/es/account/profile/">Abre «Mis robots» en tu perfil</a> o '
                '<a href="/es/account/signup/">crea tu cuenta</a> para registrar tu primer '
                "robot.</p>",
            ),
        ]
    }


IMAGES = {
    # key: (title, motif, seed)
    "hero": ("Croody: entrenamiento y robots", "gator", 1),
    "coach": ("Buddy, el entrenador", "jungle", 2),
    "shop": ("La tienda de Croody", "sand", 3),
    "robots": ("Robots de Croody", "night", 4),
    "track": ("Pista de atletismo", "crimson", 5),
}

# key -> (parent key, page class path, fields, stream builder, hero image key)
PAGES: list[tuple[str, str, str, dict, Any, str | None]] = [
    (BUDDY, HOME, "buddy.BuddyIndexPage", BUDDY_PAGE, buddy_streams, "coach"),
    (TRAINING, BUDDY, "buddy.BuddyPage", TRAINING_PAGE, training_streams, "track"),
    (PROGRESS, BUDDY, "buddy.BuddyPage", PROGRESS_PAGE, progress_streams, "robots"),
    (ABOUT, HOME, "home.StandardPage", ABOUT_PAGE, about_streams, None),
    (PRIVACY, HOME, "home.StandardPage", PRIVACY_PAGE, privacy_streams, None),
    (ROBOTS, HOME, "home.StandardPage", ROBOTS_PAGE, robots_streams, None),
]

# (label, page key); setup adds the links an older menu or footer lacks, in this order.
NAVIGATION = [
    ("Inicio", HOME),
    ("Buddy", BUDDY),
    ("Tienda", SHOP),
    ("Robots", ROBOTS),
    ("Sobre Croody", ABOUT),
]


class Footer(TypedDict):
    tagline: str
    copyright: str
    links: list[tuple[str, str]]  # (label, page key)
    social: list[tuple[str, str, str]]  # (platform, URL, label)


FOOTER: Footer = {
    "tagline": "Entrena mejor, en tu idioma.",
    "copyright": "© Croody. Hecho con cuidado para deportistas y robots.",
    "links": [
        ("Sobre Croody", ABOUT),
        ("Tienda", SHOP),
        ("Robots", ROBOTS),
        ("Privacidad", PRIVACY),
        ("Buddy", BUDDY),
    ],
    "social": [
        ("instagram", "https://instagram.com/croody", "Croody en Instagram"),
        ("youtube", "https://youtube.com/@croody", "Croody en YouTube"),
        ("github", "https://github.com/croody", "Croody en GitHub"),
    ],
}
