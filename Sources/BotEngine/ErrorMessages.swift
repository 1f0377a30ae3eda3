import ChatCore

extension ChatError {
    /// The sentence shown to the user, in Brazilian Portuguese.
    public var message: String {
        switch self {
        case .nameEmpty: return "O nome não pode ser vazio."
        case .nameTooLong(let max): return "Nome longo demais (máximo de \(max) caracteres)."
        case .nameInvalid(let name):
            return "Nome inválido: \(Self.quote(name)). Use letras, números, '_', '-' ou '.', começando com uma letra."
        case .nameReserved(let name): return "O nome \(Self.quote(name)) é reservado. Escolha outro."
        case .nameTaken(let name): return "O nome \(name) já está em uso. Escolha outro."
        case .nameLookalike(let name, let other):
            return "O nome \(name) se parece demais com \(other), que está conectado. Escolha outro."
        case .sameName: return "Você já usa esse nome."
        case .roomNameInvalid(let name):
            return "Nome de sala inválido: \(Self.quote(name)). Use até \(NameRules.maxRoomLength) letras, números, '_', '-' ou '.'."
        case .alreadyInRoom(let room): return "Você já está em #\(room)."
        case .bannedFromRoom(let room): return "Você está banido de #\(room)."
        case .messageEmpty: return "Mensagem vazia: nada foi enviado."
        case .messageTooLong(let max): return "Mensagem longa demais (máximo de \(max) caracteres): nada foi enviado."
        case .controlCharacters: return "A mensagem contém caracteres de controle ou invisíveis e não foi enviada."
        case .invalidUTF8: return "A linha não é UTF-8 válido e foi descartada."
        case .lineTooLong(let max): return "Linha longa demais (máximo de \(max) bytes) e foi descartada."
        case .noSuchUser(let name): return "Usuário não encontrado: \(Self.quote(name))."
        case .cannotTargetSelf: return "Você não pode fazer isso consigo mesmo."
        case .notInSameRoom(let name): return "\(name) não está na sua sala."
        case .notModerator(let room): return "Só moderadores de #\(room) podem fazer isso."
        case .notAdmin: return "Só administradores podem fazer isso."
        case .targetOutranks(let name): return "Você não pode moderar \(name)."
        case .notBanned(let name): return "\(Self.quote(name)) não está banido desta sala."
        case .wrongPassword: return "Senha incorreta."
        case .tooManyAttempts: return "Senha incorreta vezes demais: você será desconectado."
        case .adminDisabled: return "Este servidor não tem senha de administrador configurada."
        case .alreadyAdmin: return "Você já é administrador."
        case .unknownCommand(let name, let suggestion):
            let known = "Comando desconhecido: /\(Self.clip(name))."
            if let suggestion { return "\(known) Você quis dizer /\(suggestion)?" }
            return "\(known) Digite /ajuda para ver os comandos."
        case .missingArgument(let usage): return "Faltam argumentos. Uso: \(usage)"
        case .invalidArgument(let value, let usage): return "Argumento inválido: \(Self.quote(value)). Uso: \(usage)"
        case .badArgument(let name, let reason, let usage):
            return (name.isEmpty ? reason : "<\(name)>: \(reason)") + ". Uso: \(usage)"
        case .botError(_, let message): return message
        case .missingBotArgument(let name, let usage): return "Falta <\(name)>. Uso: \(usage)"
        case .badRequest(let detail): return "Pedido inválido: \(detail)"
        case .notConnected: return "Você não está conectado."
        case .floodSlowed(let perSecond):
            return "Devagar! Você está enviando rápido demais: suas linhas agora esperam a vez (até \(perSecond) por segundo)."
        case .floodDisconnected: return "Desconectado por enviar rápido demais por tempo demais."
        case .namingTimeout(let seconds): return "Tempo esgotado: nenhum nome escolhido em \(seconds) s. Até logo!"
        case .lineTimeout(let seconds): return "Tempo esgotado: uma linha ficou incompleta por \(seconds) s. Até logo!"
        case .adminLockedOut(let minutes):
            return "Senhas erradas demais vindas deste endereço: /admin bloqueado por \(minutes) min."
        case .busy: return "O servidor está ocupado verificando outras senhas. Tente de novo em instantes."
        case .serverFull(let max): return "O servidor está cheio (\(max) conexões). Tente mais tarde."
        case .tooManyConnections(let max):
            return "Conexões demais do seu endereço (máximo \(max)). Feche alguma e tente de novo."
        case .blockedByBot(let reason): return "Mensagem bloqueada por um bot: \(Self.clip(reason, to: 160))"
        case .botBusy(let script): return "O bot \(script) está ocupado demais agora. Tente de novo em instantes."
        case .tooManyWaiting(let max):
            return "Linhas demais esperando a resposta de um bot (máximo \(max)): esta foi descartada."
        case .nameRegistered(let name, nil):
            return "O nome \(name) está registrado. Se é seu, use /identificar \(name) <senha>."
        case .nameRegistered(let name, let like?):
            return "O nome \(name) se parece demais com \(like), que está registrado. Escolha outro."
        case .passwordRequired(let name): return "O nome \(name) está registrado. Qual é a senha?"
        case .passwordTooShort(let min): return "Senha curta demais: use pelo menos \(min) caracteres."
        case .passwordInvalid: return "Senha inválida: sem espaços nem caracteres de controle, até 1024 bytes."
        case .alreadyIdentified(let name): return "Você já está identificado como \(name)."
        case .notIdentified:
            return "Você não está identificado. Use /registrar <senha> ou /identificar <nome> <senha>."
        case .noSuchAccount(let name): return "Não há conta com o nome \(Self.quote(name))."
        case .loginLockedOut(let seconds):
            return "Senhas erradas demais: tente de novo daqui a \(seconds) s."
        case .sessionReplaced: return "Sua conta entrou por outra conexão; esta foi encerrada."
        case .nameIsAccount(let name):
            return "Você está identificado como \(name): seu nome é o da sua conta. Para usar outro, saia e entre como convidado."
        case .notOwner(let room): return "Só o dono de #\(room) ou um administrador pode fazer isso."
        case .alreadyModerator(let name): return "\(name) já modera esta sala."
        case .notAModerator(let name): return "\(Self.quote(name)) não modera esta sala."
        case .defaultRoomUnmoderated(let room): return "#\(room) não tem moderadores: só administradores a moderam."
        case .adminByAccount:
            return "Este servidor tem contas de administrador: /admin com a senha do servidor não vale mais. Use /identificar."
        case .tooManyRegistrations: return "Contas novas demais vindas deste endereço. Tente de novo mais tarde."
        case .looksLikePassword:
            return "Isso parece um comando com senha e não foi enviado à sala. Para rodar o comando, comece a linha com /."
        case .noRoom: return "Você não está em nenhuma sala: use /entrar <sala>."
        case .notMember(let room): return "Você não está em #\(Self.clip(room)). Use /entrar \(Self.clip(room))."
        case .tooManyRooms(let max): return "Você já está em \(max) salas, o máximo. Saia de alguma com /sairsala."
        case .roomLimitReached(let max): return "O servidor já tem \(max) salas, o máximo. Entre numa que já existe."
        case .topicTooLong(let max): return "Tópico longo demais (máximo de \(max) caracteres)."
        case .noSuchRoom(let room): return "Não há sala #\(Self.clip(room))."
        case .tooManyRoomsCreated(let perHour):
            return "Salas novas demais vindas deste endereço (máximo \(perHour) por hora). Entre numa que já existe."
        case .botFailed(let command, let detail):
            let base = "O comando /\(command) falhou (erro no bot)."
            return detail.map { "\(base) \($0)" } ?? base
        }
    }

    /// User-supplied text inside an error, clipped so an error never grows
    /// with the input.
    private static func quote(_ text: String) -> String { "'\(clip(text))'" }

    private static func clip(_ text: String, to limit: Int = 40) -> String {
        text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}
