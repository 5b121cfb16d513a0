"""The demo site's Spanish source content.

Every string here is translated in `translations/<language>.json` (source text ->
translation); the loader refuses to publish a translation with a string missing.
StreamField values are written as Wagtail stores them: lists of {"type", "value"}.
"""

import json
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
        "Sigue a tus robots en directo, equípate en la tienda y aprende a planificar tus "
        "entrenamientos con Buddy, nuestra guía."
    ),
    "search_description": (
        "Croody reúne la telemetría en directo de tus robots, una tienda para entrenar y "
        "Buddy, una guía de entrenamiento."
    ),
    "hero_cta_label": "Conoce a Buddy",
    "ecosystem_heading": "Un ecosistema, tres piezas",
}


def live_metric(figure: str) -> dict[str, Any]:
    """A figure counted from the telemetry when the page is shown (cms.home.blocks); with
    no label of its own, it reads the block's wording in the visitor's language."""
    return block("live_metric", {"figure": figure, "label": ""})


def home_streams(pages: dict[str, int], images: dict[str, int]) -> dict[str, list]:
    return {
        # Only true figures: three counted live, one that is a fact of the site.
        "metrics": [
            live_metric("robots_online"),
            live_metric("readings_last_hour"),
            live_metric("readings_today"),
            block("metric", {"value": "8", "label": "idiomas, del español al hindi"}),
        ],
        "ecosystem": [
            block(
                "card",
                {
                    "title": "Buddy",
                    "text": (
                        "Una guía de entrenamiento: cómo planificar tus semanas, qué medir y "
                        "cuándo descansar."
                    ),
                    "image": images["coach"],
                    "page": pages[BUDDY],
                },
            ),
            block(
                "card",
                {
                    "title": "Tienda",
                    "text": "Calzado, sensores, recuperación, ropa y accesorios para tus robots.",
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
                            "icon": "robot",
                            "title": "Tus robots, en directo",
                            "text": (
                                "En «Mis robots» ves en un mapa dónde está cada robot, su "
                                "recorrido y su batería."
                            ),
                        },
                        {
                            "icon": "shield",
                            "title": "Claves que no guardamos",
                            "text": (
                                "De cada clave de API guardamos solo su hash SHA-256: la ves una "
                                "vez, con los permisos que elijas, y la revocas cuando quieras."
                            ),
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
                    "quote": "Entrena con constancia, mide lo que importa y descansa cuando toca.",
                    "attribution": "Equipo de Croody",
                    "role": "",
                },
            ),
            block(
                "call_to_action",
                {
                    "title": "Empieza hoy",
                    "text": "Crea tu cuenta gratis, registra tu robot y míralo en el mapa.",
                    "button_label": "Cómo conectar un robot",
                    "page": pages[ROBOTS],
                    "url": "",
                    "style": "primary",
                },
            ),
        ],
    }


BUDDY_PAGE = {
    "title": "Buddy, tu guía de entrenamiento",
    "slug": "buddy",
    "intro": (
        "Buddy reúne lo que conviene saber para entrenar con cabeza: cómo planificar tu "
        "semana, qué medir y cuándo descansar. Son páginas escritas por personas: Buddy no es "
        "una inteligencia artificial y no crea ni ajusta planes por ti."
    ),
    "search_description": (
        "Buddy, la guía de entrenamiento de Croody: planificar, medir y descansar."
    ),
}


def buddy_streams(pages: dict[str, int], images: dict[str, int]) -> dict[str, list]:
    return {
        "body": [
            block(
                "feature_grid",
                {
                    "heading": "Qué encontrarás en Buddy",
                    "features": items(
                        {
                            "icon": "spark",
                            "title": "Cómo planificar tu semana",
                            "text": "Parte de tu objetivo, tu nivel y los días que tienes libres.",
                        },
                        {
                            "icon": "chart",
                            "title": "Qué medir",
                            "text": "Carga, ritmo y descanso, explicados sin jerga.",
                        },
                        {
                            "icon": "heart",
                            "title": "Cuándo descansar",
                            "text": "Las señales de que conviene bajar la intensidad.",
                        },
                        {
                            "icon": "clock",
                            "title": "Si pierdes una sesión",
                            "text": "Cómo reorganizar la semana sin amontonar la carga.",
                        },
                    ),
                },
            ),
            block(
                "plans",
                {
                    "heading": "Tu cuenta de Croody",
                    "plans": items(
                        {
                            "name": "Cuenta",
                            "price": "0 €",
                            "period": "gratis, sin suscripción",
                            "features": items(
                                "Tus robots en un mapa, en directo",
                                "Claves de API con permisos, revocables",
                                "Tus pedidos de la tienda",
                                "Descarga y borrado de tus datos",
                            ),
                            "button_label": "Crea tu cuenta",
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
                            "question": "¿Buddy me entrena o ajusta mi plan?",
                            "answer": (
                                "<p>No. Buddy es una guía escrita: explica cómo planificar, "
                                "medir y descansar, pero no crea planes, no lee tus datos y no "
                                "usa inteligencia artificial. Tus planes los haces tú.</p>"
                            ),
                        },
                        {
                            "question": "¿Cuánto cuesta?",
                            "answer": (
                                "<p>Nada. Leer Buddy es libre y la cuenta de Croody es gratuita; "
                                "solo pagas lo que compras en la tienda.</p>"
                            ),
                        },
                        {
                            "question": "¿Qué hace Croody con mis datos?",
                            "answer": (
                                "<p>Los usa para mostrarte tus robots y tus pedidos, y no los "
                                "vende. Desde tu perfil puedes descargarlos o borrar tu cuenta: "
                                "la página de privacidad lo explica.</p>"
                            ),
                        },
                    ),
                },
            ),
        ]
    }


TRAINING_PAGE = {
    "title": "Cómo funciona el entrenamiento",
    "slug": "como-funciona",
    "intro": "De tu objetivo a la primera sesión, y qué revisar después de cada una.",
    "search_description": "Cómo planificar tu entrenamiento, paso a paso.",
}


def training_streams(pages: dict[str, int], images: dict[str, int]) -> dict[str, list]:
    return {
        "body": [
            block("heading", {"text": "De tu objetivo a tu plan", "level": "h2"}),
            block(
                "paragraph",
                "<p>Elige qué quieres conseguir: correr tus primeros cinco kilómetros, ganar "
                "fuerza o volver tras una lesión. Empieza con una semana de prueba sencilla y "
                "ajústala con lo que aprendas de ti.</p>",
            ),
            block(
                "image",
                {
                    "image": images["track"],
                    "alt_text": "Pista de atletismo al amanecer con las calles marcadas.",
                    "caption": "Anota cada sesión: te servirá para planificar la siguiente.",
                },
            ),
            block("heading", {"text": "Después de cada sesión", "level": "h2"}),
            block(
                "paragraph",
                "<ul><li>Anota cómo te sentiste.</li><li>Compara lo previsto con lo que "
                "hiciste.</li><li>Cambia el plan de mañana si hace falta.</li></ul>",
            ),
        ]
    }


PROGRESS_PAGE = {
    "title": "Seguimiento del progreso",
    "slug": "progreso",
    "intro": "Qué medir para saber si avanzas: carga, ritmo y descanso, y una meta cada semana.",
    "search_description": "Cómo seguir tu progreso: qué medir y cada cuánto.",
}


def progress_streams(pages: dict[str, int], images: dict[str, int]) -> dict[str, list]:
    return {
        "body": [
            block(
                "metrics",
                {
                    "heading": "Tres números que conviene vigilar",
                    "metrics": items(
                        {"value": "7", "label": "días: la ventana en la que sumar tu carga"},
                        {"value": "3", "label": "zonas de intensidad: suave, media y dura"},
                        {"value": "1", "label": "meta clara cada semana"},
                    ),
                },
            ),
            block(
                "paragraph",
                "<p>Si tu carga de una semana sube mucho más que la de las anteriores, baja el "
                "ritmo: el cansancio suele llegar después.</p>",
            ),
        ]
    }


ABOUT_PAGE = {
    "title": "Sobre Croody",
    "slug": "sobre-croody",
    "intro": "Qué es Croody, qué hace y qué no.",
    "search_description": "Qué es Croody y qué hace.",
}


def about_streams(pages: dict[str, int], images: dict[str, int]) -> dict[str, list]:
    return {
        "body": [
            block(
                "paragraph",
                "<p>Croody reúne tres cosas: el seguimiento en directo de robots que envían su "
                "telemetría con claves de API, una tienda con pedidos desde tu cuenta y Buddy, "
                "una guía de entrenamiento escrita. Todo en ocho idiomas.</p>"
                "<p>Lo que Croody no hace también cuenta: no tiene un entrenador automático ni "
                "una inteligencia artificial que ajuste tus planes, y las cifras de la página de "
                "inicio se cuentan con la telemetría de los robots, no se estiman.</p>",
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
    "intro": "Qué datos guardamos, para qué y cómo puedes descargarlos o borrarlos.",
    "search_description": "Política de privacidad de Croody.",
}


def privacy_streams(pages: dict[str, int], images: dict[str, int]) -> dict[str, list]:
    return {
        "body": [
            block("heading", {"text": "Qué guardamos", "level": "h2"}),
            block(
                "paragraph",
                "<p>Tu cuenta (nombre de usuario, correo, perfil y preferencias de idioma y "
                "tema), tus robots y sus lecturas de telemetría (posición, batería y estado), tus "
                "pedidos y los datos de tus claves de API: nombre, permisos y fechas de creación, "
                "último uso y revocación.</p>"
                "<p>De cada clave de API guardamos solo su hash SHA-256, nunca la clave: se "
                "muestra una sola vez, al crearla. Para proteger las cuentas, el registro de "
                "seguridad anota los inicios de sesión fallidos y otros sucesos de seguridad con "
                "la dirección IP de origen.</p>",
            ),
            block("heading", {"text": "Tus derechos", "level": "h2"}),
            block(
                "paragraph",
                "<p>Desde tu perfil puedes descargar tus datos en un archivo ZIP (perfil, robots, "
                "datos de tus claves, pedidos y la telemetría de tus robots) o borrar tu cuenta. "
                "Al borrarla se eliminan tus robots y su telemetría y se revocan tus claves; tus "
                "pedidos se conservan sin tus datos personales, porque la ley obliga a guardarlos "
                "para la contabilidad.</p>",
            ),
        ]
    }


ROBOTS_PAGE = {
    "title": "Tus robots en directo",
    "slug": "robots",
    "intro": (
        "Tus robots envían su posición y su batería a Croody; tú los sigues en vivo desde tu "
        "perfil."
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
            block("heading", {"text": "Quién ve tus robots", "level": "h2"}),
            block(
                "paragraph",
                "<p>Ninguna otra cuenta ve tus robots ni sus lecturas; solo el equipo de Croody, "
                "desde la administración, para mantener el servicio.</p>"
                "<p>De cada clave de API guardamos solo su hash SHA-256: la ves una sola vez, al "
                "crearla, con los permisos que elijas (por ejemplo, enviar las lecturas de un "
                "robot). Puedes revocarla cuando quieras y deja de aceptarse en menos de un "
                "minuto.</p>",
            ),
            block(
                "paragraph",
                '<p><a href="/es/account/profile/">Abre «Mis robots» en tu perfil</a> o '
                '<a href="/es/account/signup/">crea tu cuenta</a> para registrar tu primer '
                "robot.</p>",
            ),
        ]
    }


# What earlier versions of this content claimed and the product does not do (an AI coach,
# invented figures, "encrypted" keys, a video that does not exist). A demo page or shop
# object still holding one of these is rewritten from the content above by setup_croody.
RETIRED_CLAIMS = (
    "entrenador con IA",
    "entrenador con inteligencia artificial",
    "12k+",
    "94 %",
    "24/7",
    "huella cifrada",
    "Planes que se adaptan",
    "Planes que se ajustan cada día",
    "Buddy aprende de cada entrenamiento",
    "Buddy prepara tu primer plan",
    "Buddy reorganiza la semana",
    "Buddy baja la intensidad",
    "Buddy propone una semana",
    "Buddy compara lo previsto",
    "Buddy te avisa",
    "Lo que Buddy mide",
    "Gráficas claras",
    "Lucía Fernández",
    "ese entrenador se llama Buddy",
    "tus sesiones y las lecturas",
    "video.croody.example",
    "queda registrada para ajustar",
    "Solo tú ves tus robots",
    "Buddy usa tus datos",
    "Buddy lee tus zonas",
    "Buddy detecta",
    "Buddy marca el esfuerzo",
    "Buddy ajusta",
    "Buddy te pide",
    "Buddy te propone",
    "sincronizados con tu perfil",
    "elegido por nuestros entrenadores",
    "probado por nuestro club",
    "todo lo que usa tu plan",
    "el robot avisa por telemetría",
)


def holds_retired_claim(*values: Any) -> bool:
    """Whether any of these texts or stored stream values says one of RETIRED_CLAIMS."""
    text = " ".join(
        v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=list) for v in values
    )
    return any(claim in text for claim in RETIRED_CLAIMS)


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
